using Microsoft.Extensions.Options;

namespace JwtFunctions.Revocation;

public sealed class RevocationOptionsValidator : IValidateOptions<RevocationOptions>
{
    public ValidateOptionsResult Validate(string? name, RevocationOptions options) =>
        options.RefreshInterval < TimeSpan.FromSeconds(1) || options.RefreshInterval > TimeSpan.FromMinutes(5)
            ? ValidateOptionsResult.Fail("Revocation:RefreshInterval must be between 00:00:01 and 00:05:00 (default 00:00:15); it bounds how long a revoked token still works on other instances.")
            : ValidateOptionsResult.Success;
}
