namespace JwtFunctions.Accounts;

/// <summary>User accounts, bound from the <c>Accounts</c> configuration section.</summary>
public sealed class AccountOptions
{
    public const string SectionName = "Accounts";

    /// <summary>OWASP's PBKDF2-HMAC-SHA256 recommendation (Password Storage Cheat Sheet), also the minimum accepted.</summary>
    public const int MinimumPasswordHashIterations = 600_000;

    /// <summary>
    /// Whether <c>POST /api/v1.0/register</c> creates accounts. Default <c>false</c>: the endpoint
    /// answers 404, and accounts are created by an operator. <c>local.settings.json.example</c> turns it on.
    /// </summary>
    public bool RegistrationEnabled { get; set; }

    /// <summary>
    /// PBKDF2-HMAC-SHA256 iterations for new password hashes. Default and minimum 600,000. Raising it
    /// rehashes each password at its owner's next successful login.
    /// </summary>
    public int PasswordHashIterations { get; set; } = MinimumPasswordHashIterations;
}
