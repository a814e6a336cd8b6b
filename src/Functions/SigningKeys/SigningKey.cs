using System.Collections.Frozen;
using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.SigningKeys;

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

/// <summary>One version of the signing secret as the source reports it, before it is checked.</summary>
public sealed record SigningKeyVersion(string KeyId, string? Value, DateTimeOffset? CreatedOn, DateTimeOffset? ExpiresOn)
{
    /// <summary>Never print the secret value.</summary>
    public override string ToString() => $"SigningKeyVersion(kid={KeyId}, created={CreatedOn:O})";
}

/// <summary>
/// An immutable snapshot of the usable key versions: the newest signs, every one validates.
/// Replaced as a whole on refresh, so readers on the request path never lock.
/// </summary>
public sealed class SigningKeySet
{
    private readonly FrozenDictionary<string, SigningKey> _byKeyId;

    public SigningKeySet(IReadOnlyList<SigningKey> newestFirst, DateTimeOffset loadedAt)
    {
        ArgumentNullException.ThrowIfNull(newestFirst);
        if (newestFirst.Count == 0)
        {
            throw new ArgumentException("A key set needs at least one key.", nameof(newestFirst));
        }

        Keys = newestFirst;
        LoadedAt = loadedAt;
        _byKeyId = newestFirst.ToFrozenDictionary(k => k.KeyId, StringComparer.Ordinal);
    }

    /// <summary>The key new tokens are signed with: the newest enabled version.</summary>
    public SigningKey Current => Keys[0];

    public IReadOnlyList<SigningKey> Keys { get; }

    public DateTimeOffset LoadedAt { get; }

    public bool TryGetValidationKey(string? keyId, DateTimeOffset now, out SigningKey key)
    {
        if (keyId is not null && _byKeyId.TryGetValue(keyId, out key!) && (key.ExpiresOn is null || key.ExpiresOn > now))
        {
            return true;
        }

        key = null!;
        return false;
    }
}

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
