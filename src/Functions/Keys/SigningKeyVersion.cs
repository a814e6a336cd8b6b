namespace JwtFunctions.Keys;

/// <summary>One version of the signing secret as the source reports it, before it is checked.</summary>
public sealed record SigningKeyVersion(string KeyId, string? Value, DateTimeOffset? CreatedOn, DateTimeOffset? ExpiresOn)
{
    /// <summary>Never print the secret value.</summary>
    public override string ToString() => $"SigningKeyVersion(kid={KeyId}, created={CreatedOn:O})";
}
