using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.Keys;

/// <summary>One version of the HMAC signing key. <see cref="KeyId"/> is written to the JWS <c>kid</c> header (RFC 7515 §4.1.4).</summary>
public sealed class SigningKey
{
    public SigningKey(string keyId, byte[] material, DateTimeOffset? expiresOn = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentNullException.ThrowIfNull(material);
        KeyId = keyId;
        ExpiresOn = expiresOn;
        SecurityKey = new SymmetricSecurityKey(material) { KeyId = keyId };
        ValidationKeys = [SecurityKey];
    }

    public string KeyId { get; }

    /// <summary>When the vault says this version stops being valid; <c>null</c> for never.</summary>
    public DateTimeOffset? ExpiresOn { get; }

    public SymmetricSecurityKey SecurityKey { get; }

    /// <summary>The same key as a one-element list, allocated once for the validation key resolver.</summary>
    internal SecurityKey[] ValidationKeys { get; }

    /// <summary>Never print key material.</summary>
    public override string ToString() => $"SigningKey(kid={KeyId})";
}
