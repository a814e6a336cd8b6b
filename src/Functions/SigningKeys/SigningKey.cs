using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.SigningKeys;

/// <summary>
/// One version of the signing key. <see cref="KeyId"/> is written to the JWS <c>kid</c> header
/// (RFC 7515 §4.1.4): the Key Vault version id for an HMAC key (a thumbprint of a secret would be a
/// hash of it), the RFC 7638 JWK thumbprint of the public key for ES256 / RS256, so every instance
/// and every restart names the same key the same way. Key objects are built once per version and
/// reused for every token (no per-request import).
/// </summary>
public sealed class SigningKey
{
    /// <summary>An HMAC key (HS256/384/512).</summary>
    public SigningKey(string keyId, byte[] material, DateTimeOffset? expiresOn = null)
        : this(keyId, new SymmetricSecurityKey(material) { KeyId = keyId }, publicKey: null, expiresOn, createdOn: null, versionId: keyId)
    {
        ArgumentNullException.ThrowIfNull(material);
    }

    private SigningKey(string keyId, SecurityKey securityKey, PublicJsonWebKey? publicKey, DateTimeOffset? expiresOn, DateTimeOffset? createdOn, string versionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        KeyId = keyId;
        ExpiresOn = expiresOn;
        CreatedOn = createdOn;
        VersionId = versionId;
        SecurityKey = securityKey;
        PublicKey = publicKey;
        ValidationKeys = [SecurityKey];
    }

    /// <summary>An ES256 key (P-256) from its private key; <c>kid</c> is its RFC 7638 thumbprint.</summary>
    public static SigningKey FromEcdsa(ECDsa privateKey, string versionId, DateTimeOffset? createdOn = null, DateTimeOffset? expiresOn = null)
    {
        var jwk = PublicJsonWebKey.FromEcdsa(privateKey, SecurityAlgorithms.EcdsaSha256);
        return new SigningKey(jwk.Kid, new ECDsaSecurityKey(privateKey) { KeyId = jwk.Kid }, jwk, expiresOn, createdOn, versionId);
    }

    /// <summary>An RS256 key from its private key; <c>kid</c> is its RFC 7638 thumbprint.</summary>
    public static SigningKey FromRsa(RSA privateKey, string versionId, DateTimeOffset? createdOn = null, DateTimeOffset? expiresOn = null)
    {
        var jwk = PublicJsonWebKey.FromRsa(privateKey, SecurityAlgorithms.RsaSha256);
        return new SigningKey(jwk.Kid, new RsaSecurityKey(privateKey) { KeyId = jwk.Kid }, jwk, expiresOn, createdOn, versionId);
    }

    /// <summary>The JWS <c>kid</c> of tokens signed with this key.</summary>
    public string KeyId { get; }

    /// <summary>The source's version id (Key Vault secret version, or <c>local</c>), for logs.</summary>
    public string VersionId { get; }

    /// <summary>When the vault says this version stops being valid; <c>null</c> for never.</summary>
    public DateTimeOffset? ExpiresOn { get; }

    /// <summary>When the version was created in the vault; <c>null</c> when the source does not say.</summary>
    public DateTimeOffset? CreatedOn { get; }

    public SecurityKey SecurityKey { get; }

    /// <summary>The public key as a JWK for the JWKS document; <c>null</c> for an HMAC key, which is never published.</summary>
    public PublicJsonWebKey? PublicKey { get; }

    /// <summary>The same key as a one-element list, allocated once for the validation key resolver.</summary>
    internal SecurityKey[] ValidationKeys { get; }

    /// <summary>Never print key material.</summary>
    public override string ToString() => $"SigningKey(kid={KeyId})";
}

/// <summary>
/// The public half of an asymmetric signing key as a JWK (RFC 7517 §4, RFC 7518 §6.2.1 / §6.3.1):
/// only <c>kty</c>, <c>crv</c>/<c>x</c>/<c>y</c> or <c>n</c>/<c>e</c>, <c>kid</c>, <c>alg</c> and <c>use</c>;
/// no private parameter can be represented here.
/// </summary>
public sealed record PublicJsonWebKey(string Kty, string Kid, string Alg, string? Crv, string? X, string? Y, string? N, string? E)
{
    public const string Use = "sig";

    public static PublicJsonWebKey FromEcdsa(ECDsa key, string algorithm)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        var x = Base64UrlEncoder.Encode(parameters.Q.X!);
        var y = Base64UrlEncoder.Encode(parameters.Q.Y!);

        // RFC 7638 §3.2: the required members, in lexicographic order, no whitespace.
        var kid = Thumbprint($"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{x}\",\"y\":\"{y}\"}}");
        return new PublicJsonWebKey("EC", kid, algorithm, "P-256", x, y, null, null);
    }

    public static PublicJsonWebKey FromRsa(RSA key, string algorithm)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        var n = Base64UrlEncoder.Encode(parameters.Modulus!);
        var e = Base64UrlEncoder.Encode(parameters.Exponent!);
        return new PublicJsonWebKey("RSA", RsaThumbprint(n, e), algorithm, null, null, null, n, e);
    }

    /// <summary>RFC 7638 §3.2 for an RSA key: SHA-256 over <c>{"e":..,"kty":"RSA","n":..}</c>, base64url.</summary>
    public static string RsaThumbprint(string n, string e) => Thumbprint($"{{\"e\":\"{e}\",\"kty\":\"RSA\",\"n\":\"{n}\"}}");

    private static string Thumbprint(string canonicalJson) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJson)));
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

    /// <param name="newestFirst">Every usable version, newest first; all of them validate and are published.</param>
    /// <param name="loadedAt">When the source was read.</param>
    /// <param name="signer">The key new tokens are signed with (one of <paramref name="newestFirst"/>); the newest when <c>null</c>.</param>
    public SigningKeySet(IReadOnlyList<SigningKey> newestFirst, DateTimeOffset loadedAt, SigningKey? signer = null)
    {
        ArgumentNullException.ThrowIfNull(newestFirst);
        if (newestFirst.Count == 0)
        {
            throw new ArgumentException("A key set needs at least one key.", nameof(newestFirst));
        }

        if (signer is not null && !newestFirst.Contains(signer))
        {
            throw new ArgumentException("The signing key must be one of the set's keys.", nameof(signer));
        }

        Keys = newestFirst;
        LoadedAt = loadedAt;
        Current = signer ?? newestFirst[0];
        _byKeyId = newestFirst.ToFrozenDictionary(k => k.KeyId, StringComparer.Ordinal);
        FirstExpiry = newestFirst.Min(k => k.ExpiresOn ?? DateTimeOffset.MaxValue);
    }

    /// <summary>
    /// The earliest <see cref="SigningKey.ExpiresOn"/> of the set (<see cref="DateTimeOffset.MaxValue"/>
    /// when none expires): from that instant the ring replaces the set with one without that key.
    /// </summary>
    public DateTimeOffset FirstExpiry { get; }

    /// <summary>
    /// The key new tokens are signed with: the newest enabled version once it has been published
    /// for <see cref="SigningKeyOptions.ActivationDelay"/> (at once by default).
    /// </summary>
    public SigningKey Current { get; }

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

/// <summary>Why a secret value cannot be used as a signing key. Each one fails closed.</summary>
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

    /// <summary>ES256 / RS256: the value is not a PEM-encoded PKCS#8 private key (<c>-----BEGIN PRIVATE KEY-----</c>).</summary>
    NotPrivateKeyPem,

    /// <summary>ES256 / RS256: a private key of the wrong type (RSA for ES256, EC for RS256, an EC curve other than P-256).</summary>
    WrongKeyType,

    /// <summary>RS256: an RSA modulus under 2048 bits (RFC 7518 §3.3, NIST SP 800-131A).</summary>
    KeyTooSmall,
}
