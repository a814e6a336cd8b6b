namespace JwtFunctions.Accounts;

/// <summary>Password rules: 12-128 characters (OWASP Authentication Cheat Sheet; the upper bound caps hashing work).</summary>
public static class Passwords
{
    public const int MinLength = 12;
    public const int MaxLength = 128;

    public static bool IsAcceptable(string? password) => password is { Length: >= MinLength and <= MaxLength };
}
