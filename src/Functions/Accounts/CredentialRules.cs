using System.Buffers;

namespace JwtFunctions.Accounts;

/// <summary>
/// Username rules. 3-64 characters from letters, digits and <c>. _ @ -</c>: a set that is valid
/// as a Table Storage key as it is (keys must not contain <c>/ \ # ?</c> or control characters)
/// and needs no escaping anywhere. Compared case-insensitively by storing the lower-case form.
/// </summary>
public static class Usernames
{
    public const int MinLength = 3;
    public const int MaxLength = 64;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-");

    public static bool TryNormalize(string? username, out string normalized)
    {
        normalized = string.Empty;
        if (username is null || username.Length is < MinLength or > MaxLength || username.AsSpan().ContainsAnyExcept(Allowed))
        {
            return false;
        }

        normalized = username.ToLowerInvariant();
        return true;
    }
}

/// <summary>Password rules: 12-128 characters (OWASP Authentication Cheat Sheet; the upper bound caps hashing work).</summary>
public static class Passwords
{
    public const int MinLength = 12;
    public const int MaxLength = 128;

    public static bool IsAcceptable(string? password) => password is { Length: >= MinLength and <= MaxLength };
}
