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

    /// <summary>Failed logins within <see cref="LockoutWindow"/> that lock the account. Default 5.</summary>
    public int LockoutThreshold { get; set; } = 5;

    /// <summary>The window failures are counted in. Default 15 minutes.</summary>
    public TimeSpan LockoutWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The first lock-out's length; each further one in a row doubles it. Default 5 minutes.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest lock-out, however often it repeats. Default 1 hour.</summary>
    public TimeSpan MaxLockoutDuration { get; set; } = TimeSpan.FromHours(1);
}
