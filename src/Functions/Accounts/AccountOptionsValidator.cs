using Microsoft.Extensions.Options;

namespace JwtFunctions.Accounts;

/// <summary>Start-up checks of <see cref="AccountOptions"/>.</summary>
public sealed class AccountOptionsValidator : IValidateOptions<AccountOptions>
{
    public const int MaximumPasswordHashIterations = 10_000_000;

    public ValidateOptionsResult Validate(string? name, AccountOptions options) =>
        options.PasswordHashIterations is < AccountOptions.MinimumPasswordHashIterations or > MaximumPasswordHashIterations
            ? ValidateOptionsResult.Fail($"Accounts:PasswordHashIterations must be between {AccountOptions.MinimumPasswordHashIterations:N0} (OWASP's minimum for PBKDF2-HMAC-SHA256) and {MaximumPasswordHashIterations:N0}; the default is {AccountOptions.MinimumPasswordHashIterations:N0}.")
            : ValidateOptionsResult.Success;
}
