using System.Buffers;

namespace JwtFunctions.Admin;

/// <summary>
/// Role and scope names. Roles go into access tokens as the <c>roles</c> JSON array and scopes as
/// the space-separated <c>scope</c> string (RFC 9068 §2.2.3, RFC 6749 §3.3). Both are 1-64
/// characters of letters, digits and <c>: . _ -</c> (a subset of RFC 6749's scope-token NQCHAR,
/// so no quoting is ever needed in a <c>WWW-Authenticate</c> challenge), compared ordinally
/// (case-sensitive), at most 32 of each per user; stored sorted and space-separated.
/// </summary>
public static class AccessRights
{
    public const string AdminRole = "admin";
    public const int MaxNameLength = 64;
    public const int MaxCount = 32;

    public static readonly string Rule = $"1-{MaxNameLength} characters of letters, digits and : . _ -, at most {MaxCount}";

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:._-");

    public static bool IsValidName(string? name) =>
        name is { Length: >= 1 and <= MaxNameLength } && !name.AsSpan().ContainsAnyExcept(Allowed);

    /// <summary>The names as stored (sorted, distinct, space-separated), or <c>null</c> when one is invalid or there are too many.</summary>
    public static string? TryFormat(IEnumerable<string?>? names)
    {
        if (names is null)
        {
            return string.Empty;
        }

        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!IsValidName(name))
            {
                return null;
            }

            set.Add(name!);
            if (set.Count > MaxCount)
            {
                return null;
            }
        }

        return string.Join(' ', set);
    }

    /// <summary>A space-separated scope string (RFC 6749 §3.3) as stored, or <c>null</c> when invalid.</summary>
    public static string? TryFormatScope(string? scope) =>
        string.IsNullOrEmpty(scope) ? string.Empty : TryFormat(scope.Split(' '));

    public static string[] Split(string? stored) =>
        string.IsNullOrEmpty(stored) ? [] : stored.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public static bool Contains(string? stored, string name) => Array.IndexOf(Split(stored), name) >= 0;
}
