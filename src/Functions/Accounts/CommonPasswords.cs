using System.Collections.Frozen;
using System.Reflection;

namespace JwtFunctions.Accounts;

/// <summary>
/// The list of commonly used passwords new passwords are checked against (NIST SP 800-63B
/// §3.1.1.2). It is zxcvbn's password-frequency list as the NuGet package <c>zxcvbn-core</c>
/// ships it (resource <c>zxcvbn-core.Dictionaries.passwords.lst</c>: the 30,000 most frequent
/// passwords of the leaked-password corpora zxcvbn was built from; MIT licence), read once,
/// lower-cased, into a frozen set. A password is common when, compared case-insensitively, it
/// is an entry, or an entry repeated (<c>passwordpassword</c>, <c>qwertyqwerty</c>): with the
/// 12-character minimum, those are the common passwords that would otherwise get through.
/// </summary>
public static class CommonPasswords
{
    /// <summary>The package resource the list is read from.</summary>
    public const string ResourceName = "zxcvbn-core.Dictionaries.passwords.lst";

    private static readonly Lazy<FrozenSet<string>> List = new(Load);

    /// <summary>How many distinct entries the list holds.</summary>
    public static int Count => List.Value.Count;

    public static bool Contains(string password)
    {
        var lower = password.ToLowerInvariant();
        var list = List.Value;
        if (list.Contains(lower))
        {
            return true;
        }

        // An entry repeated: the password is its first `unit` characters over and over.
        for (var unit = 1; unit <= lower.Length / 2; unit++)
        {
            if (lower.Length % unit == 0 && IsRepetition(lower, unit) && list.Contains(lower[..unit]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsRepetition(string value, int unit)
    {
        var head = value.AsSpan(0, unit);
        for (var start = unit; start < value.Length; start += unit)
        {
            if (!value.AsSpan(start, unit).SequenceEqual(head))
            {
                return false;
            }
        }

        return true;
    }

    private static FrozenSet<string> Load()
    {
        var assembly = typeof(Zxcvbn.Zxcvbn).Assembly;
        using var stream = assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The common-password list {ResourceName} is missing from {assembly.GetName().Name}; restore the pinned zxcvbn-core package (Directory.Packages.props).");
        using var reader = new StreamReader(stream);
        var entries = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Trim() is { Length: > 0 } entry)
            {
                entries.Add(entry.ToLowerInvariant());
            }
        }

        return entries.ToFrozenSet(StringComparer.Ordinal);
    }
}
