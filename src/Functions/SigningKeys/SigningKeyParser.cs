using System.Buffers.Text;

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
}
