namespace JwtFunctions.Keys;

/// <summary>
/// Where the HMAC signing key comes from. Bound from the <c>SigningKeys</c> configuration section
/// (app settings <c>SigningKeys__VaultUri</c>, <c>SigningKeys__SecretName</c>, ...).
/// </summary>
public sealed class SigningKeyOptions
{
    public const string SectionName = "SigningKeys";

    /// <summary>Default name of the Key Vault secret that holds the signing key.</summary>
    public const string DefaultSecretName = "jwt-signing-key";

    /// <summary>
    /// URI of the Key Vault, e.g. <c>https://my-vault.vault.azure.net/</c>. When set, every key comes
    /// from that vault and <see cref="LocalKey"/> is ignored. Default: not set.
    /// </summary>
    public Uri? VaultUri { get; set; }

    /// <summary>Name of the secret in the vault. Default <c>jwt-signing-key</c>.</summary>
    public string SecretName { get; set; } = DefaultSecretName;

    /// <summary>How often the key ring is re-read from the vault. Default 5 minutes.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Local development only: the signing key itself, as base64 of random bytes (at least as many
    /// bytes as the algorithm's hash: 32 for HS256). Used only when <see cref="VaultUri"/> is not set,
    /// and a warning is logged. Default: not set.
    /// </summary>
    public string? LocalKey { get; set; }

    /// <summary>
    /// Client id of a user-assigned managed identity to use for Key Vault (the app's
    /// <c>AZURE_CLIENT_ID</c> is used when this is not set). Default: not set.
    /// </summary>
    public string? ManagedIdentityClientId { get; set; }
}
