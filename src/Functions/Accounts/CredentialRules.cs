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

/// <summary>
/// The one rule every new password goes through (registration, password change, and any
/// operator path that sets a password): 12-128 characters (OWASP Authentication Cheat Sheet; the
/// upper bound caps hashing work), and not a commonly used password (NIST SP 800-63B §3.1.1.2:
/// new passwords are compared against a list of commonly used or compromised values). Checked
/// before any hashing or storage.
/// </summary>
public static class Passwords
{
    public const int MinLength = 12;
    public const int MaxLength = 128;

    /// <summary>Whether <paramref name="password"/> may become an account's password.</summary>
    public static bool IsAcceptable(string? password) => Check(password) == PasswordProblem.None;

    /// <summary>What is wrong with <paramref name="password"/> as a new password, if anything.</summary>
    public static PasswordProblem Check(string? password)
    {
        if (password is not { Length: >= MinLength and <= MaxLength })
        {
            return PasswordProblem.Length;
        }

        return CommonPasswords.Contains(password) ? PasswordProblem.Common : PasswordProblem.None;
    }

    /// <summary>The fixed <c>error_description</c> of a refused new password, naming its JSON field.</summary>
    public static string Describe(PasswordProblem problem, string field) => problem switch
    {
        PasswordProblem.Common => $"{field} is a commonly used password; choose another",
        _ => $"{field} must be {MinLength}-{MaxLength} characters",
    };
}

public enum PasswordProblem
{
    None = 0,

    /// <summary>Missing, shorter than <see cref="Passwords.MinLength"/> or longer than <see cref="Passwords.MaxLength"/>.</summary>
    Length,

    /// <summary>On the common-password list, or one of its entries repeated.</summary>
    Common,
}
