using System.Text.RegularExpressions;

namespace JwtFunctions.Infra.Tests.Infrastructure;

/// <summary>
/// Recognises secret material in text: storage keys and SAS signatures, connection-string keys,
/// private keys, and long high-entropy base64 or hex runs (what a generated signing key or account
/// key looks like). Deliberately broad: nothing in infra/ needs to look like a secret.
/// </summary>
public static partial class SecretScanner
{
    /// <summary>A description of the first finding, or null when the text looks clean.</summary>
    public static string? Find(string text)
    {
        foreach (var (pattern, what) in Markers)
        {
            var match = pattern.Match(text);
            if (match.Success)
            {
                return $"{what} at offset {match.Index}: '{Redact(match.Value)}'";
            }
        }

        foreach (Match match in Base64Run().Matches(text))
        {
            // Resource IDs and type paths are long base64-alphabet runs too, but their segments
            // are words or lower-case names; random bytes give segments that mix all three classes.
            var run = match.Value;
            if (run.Split('/', '+').Any(segment => segment.Length >= 8
                && segment.Any(char.IsUpper) && segment.Any(char.IsLower) && segment.Any(char.IsDigit)))
            {
                return $"a {run.Length}-character base64 run (key-like) at offset {match.Index}: '{Redact(run)}'";
            }
        }

        var hex = HexRun().Match(text);
        return hex.Success ? $"a {hex.Length}-character hex run (key-like) at offset {hex.Index}: '{Redact(hex.Value)}'" : null;
    }

    // Shows only enough of a finding to locate it.
    private static string Redact(string value) => value.Length <= 12 ? value : value[..12] + "...";

    private static readonly (Regex Pattern, string What)[] Markers =
    [
        (new Regex("AccountKey\\s*=", RegexOptions.IgnoreCase), "a storage account key"),
        (new Regex("SharedAccess(Key|Signature)\\s*=", RegexOptions.IgnoreCase), "a shared access key or signature"),
        (new Regex("[?&]sig=[A-Za-z0-9%+/=]{16,}", RegexOptions.IgnoreCase), "a SAS signature"),
        (new Regex("InstrumentationKey=[0-9a-f]{8}-", RegexOptions.IgnoreCase), "a literal instrumentation key"),
        (new Regex("-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
        (new Regex("(client_?secret|password)\\s*[=:]\\s*['\"]?[^\\s'\"\\]]{8,}", RegexOptions.IgnoreCase), "a password or client secret"),
    ];

    [GeneratedRegex("(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40,}={0,2}")]
    private static partial Regex Base64Run();

    [GeneratedRegex("(?<![0-9A-Fa-f])[0-9A-Fa-f]{64,}(?![0-9A-Fa-f])")]
    private static partial Regex HexRun();
}
