using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.SigningKeys;

/// <summary>
/// Turns a secret value into key bytes, refusing anything weak. RFC 7518 §3.2: an HMAC key must be
/// at least as long as the hash output, so 32 bytes for HS256, 48 for HS384 and 64 for HS512.
/// </summary>
public static class SigningKeyParser
{
    public static SigningKeyProblem TryParse(string? value, int minimumBytes, out byte[] material)
    {
        material = [];
        if (string.IsNullOrWhiteSpace(value))
        {
            return SigningKeyProblem.Missing;
        }

        var trimmed = value.Trim();
        if (trimmed.StartsWith("@Microsoft.KeyVault", StringComparison.OrdinalIgnoreCase))
        {
            return SigningKeyProblem.UnresolvedReference;
        }

        if (!Base64.IsValid(trimmed, out var decodedLength))
        {
            return SigningKeyProblem.NotBase64;
        }

        if (decodedLength < minimumBytes)
        {
            return SigningKeyProblem.TooShort;
        }

        material = Convert.FromBase64String(trimmed);
        return SigningKeyProblem.None;
    }

    /// <summary>What an operator reads in the log; never contains the value.</summary>
    public static string Describe(SigningKeyProblem problem, int minimumBytes) => problem switch
    {
        SigningKeyProblem.Missing => "the signing secret is missing or has no enabled version",
        SigningKeyProblem.UnresolvedReference => "the signing secret is an unresolved @Microsoft.KeyVault(...) reference; grant the app's identity access to the vault",
        SigningKeyProblem.NotBase64 => "the signing secret is not base64; store base64 of random bytes (openssl rand -base64 64)",
        SigningKeyProblem.TooShort => $"the signing secret decodes to fewer than {minimumBytes} bytes; store base64 of at least {minimumBytes} random bytes",
        _ => "the signing secret is usable",
    };

    /// <summary>The OID of NIST P-256 (secp256r1), the only curve ES256 uses (RFC 7518 §3.4).</summary>
    public const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>RFC 7518 §3.3: a key of size 2048 bits or larger MUST be used with RS256.</summary>
    public const int MinimumRsaBits = 2048;

    private const string Pkcs8Label = "PRIVATE KEY";

    /// <summary>
    /// ES256 / RS256: the secret value as a PEM-encoded, unencrypted PKCS#8 private key (RFC 5958,
    /// RFC 7468 §10), refusing the wrong key type (P-256 only for ES256, RSA only for RS256) and
    /// RSA keys under 2048 bits. The returned key object is the caller's.
    /// </summary>
    public static SigningKeyProblem TryParsePrivateKey(string? value, string algorithm, out AsymmetricAlgorithm? key)
    {
        key = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return SigningKeyProblem.Missing;
        }

        var trimmed = value.Trim();
        if (trimmed.StartsWith("@Microsoft.KeyVault", StringComparison.OrdinalIgnoreCase))
        {
            return SigningKeyProblem.UnresolvedReference;
        }

        // Local settings and environment variables sometimes carry the PEM with literal "\n".
        if (!trimmed.Contains('\n', StringComparison.Ordinal) && trimmed.Contains("\\n", StringComparison.Ordinal))
        {
            trimmed = trimmed.Replace("\\n", "\n", StringComparison.Ordinal);
        }

        if (!PemEncoding.TryFind(trimmed, out var fields) || !trimmed.AsSpan()[fields.Label].SequenceEqual(Pkcs8Label))
        {
            return SigningKeyProblem.NotPrivateKeyPem;
        }

        var der = new byte[fields.DecodedDataLength];
        if (!Convert.TryFromBase64Chars(trimmed.AsSpan()[fields.Base64Data], der, out var written))
        {
            return SigningKeyProblem.NotPrivateKeyPem;
        }

        var ecdsa = TryImport(ECDsa.Create(), der.AsSpan(0, written));
        var rsa = ecdsa is null ? TryImport(RSA.Create(), der.AsSpan(0, written)) : null;
        CryptographicOperations.ZeroMemory(der);
        switch (algorithm)
        {
            case SecurityAlgorithms.EcdsaSha256 when ecdsa is not null:
                var curve = ecdsa.ExportParameters(includePrivateParameters: false).Curve;
                if (curve.IsNamed && (curve.Oid.Value == P256Oid || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "prime256v1" or "secp256r1") && ecdsa.KeySize == 256)
                {
                    key = ecdsa;
                    return SigningKeyProblem.None;
                }

                ecdsa.Dispose();
                return SigningKeyProblem.WrongKeyType;
            case SecurityAlgorithms.RsaSha256 when rsa is not null:
                if (rsa.KeySize < MinimumRsaBits)
                {
                    rsa.Dispose();
                    return SigningKeyProblem.KeyTooSmall;
                }

                key = rsa;
                return SigningKeyProblem.None;
            default:
                ecdsa?.Dispose();
                rsa?.Dispose();
                return ecdsa is null && rsa is null ? SigningKeyProblem.NotPrivateKeyPem : SigningKeyProblem.WrongKeyType;
        }
    }

    /// <summary>What an operator reads in the log for an ES256 / RS256 key; fixed texts, never the value.</summary>
    public static string DescribePrivateKey(SigningKeyProblem problem, string algorithm) => problem switch
    {
        SigningKeyProblem.Missing => "the signing secret is missing or has no enabled version",
        SigningKeyProblem.UnresolvedReference => "the signing secret is an unresolved @Microsoft.KeyVault(...) reference; grant the app's identity access to the vault",
        SigningKeyProblem.NotPrivateKeyPem => $"the signing secret is not a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----); for {algorithm} store the output of `{GenerateCommand(algorithm)}`",
        SigningKeyProblem.WrongKeyType => $"the signing secret is the wrong kind of key for {algorithm} ({(algorithm == SecurityAlgorithms.EcdsaSha256 ? "a P-256 EC key is required" : "an RSA key is required")}); store the output of `{GenerateCommand(algorithm)}`",
        SigningKeyProblem.KeyTooSmall => $"the signing secret is an RSA key under {MinimumRsaBits} bits; store the output of `{GenerateCommand(algorithm)}`",
        _ => "the signing secret is usable",
    };

    /// <summary>The openssl command that makes a usable key for <paramref name="algorithm"/>.</summary>
    public static string GenerateCommand(string algorithm) => algorithm == SecurityAlgorithms.RsaSha256
        ? "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072"
        : "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256";

    private static T? TryImport<T>(T key, ReadOnlySpan<byte> pkcs8)
        where T : AsymmetricAlgorithm
    {
        try
        {
            key.ImportPkcs8PrivateKey(pkcs8, out var read);
            if (read == pkcs8.Length)
            {
                return key;
            }
        }
        catch (CryptographicException)
        {
        }

        key.Dispose();
        return null;
    }
}
