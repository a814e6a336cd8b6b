namespace JwtFunctions.Revocation;

/// <summary>Access-token revocation, bound from the <c>Revocation</c> section.</summary>
public sealed class RevocationOptions
{
    public const string SectionName = "Revocation";

    /// <summary>
    /// How often each instance re-reads the revocation table. A revocation takes effect at once on
    /// the instance that performed it and within this interval on every other one. Default 15 seconds.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(15);
}
