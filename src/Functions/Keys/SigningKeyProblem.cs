namespace JwtFunctions.Keys;

/// <summary>Why a secret value cannot be used as an HMAC key. Each one fails closed.</summary>
public enum SigningKeyProblem
{
    None = 0,

    /// <summary>No secret, or no enabled version of it.</summary>
    Missing,

    /// <summary>An app-setting Key Vault reference (<c>@Microsoft.KeyVault(...)</c>) that the platform did not resolve.</summary>
    UnresolvedReference,

    /// <summary>The value is not base64.</summary>
    NotBase64,

    /// <summary>Fewer bytes than the algorithm's hash output (RFC 7518 §3.2 requires at least that many).</summary>
    TooShort,
}
