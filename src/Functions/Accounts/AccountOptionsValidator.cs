using Microsoft.Extensions.Options;

namespace JwtFunctions.Accounts;

/// <summary>Start-up checks of <see cref="AccountOptions"/>, each message saying how to fix it.</summary>
public sealed class AccountOptionsValidator : IValidateOptions<AccountOptions>
{
    public const int MaximumPasswordHashIterations = 10_000_000;

    public ValidateOptionsResult Validate(string? name, AccountOptions options)
    {
        var failures = new List<string>();
        if (options.PasswordHashIterations is < AccountOptions.MinimumPasswordHashIterations or > MaximumPasswordHashIterations)
        {
            failures.Add($"Accounts:PasswordHashIterations must be between {AccountOptions.MinimumPasswordHashIterations:N0} (OWASP's minimum for PBKDF2-HMAC-SHA256) and {MaximumPasswordHashIterations:N0}; the default is {AccountOptions.MinimumPasswordHashIterations:N0}.");
        }

        if (options.LockoutThreshold is < 3 or > 100)
        {
            failures.Add("Accounts:LockoutThreshold must be between 3 and 100 failed logins (default 5).");
        }

        if (options.LockoutWindow < TimeSpan.FromMinutes(1) || options.LockoutWindow > TimeSpan.FromDays(1))
        {
            failures.Add("Accounts:LockoutWindow must be between 00:01:00 and 1.00:00:00 (default 00:15:00).");
        }

        if (options.LockoutDuration < TimeSpan.FromSeconds(1) || options.MaxLockoutDuration < options.LockoutDuration || options.MaxLockoutDuration > TimeSpan.FromDays(1))
        {
            failures.Add("Accounts:LockoutDuration must be at least 00:00:01 and Accounts:MaxLockoutDuration between it and 1.00:00:00 (defaults 00:05:00 and 01:00:00).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
