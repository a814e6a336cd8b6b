using Microsoft.Extensions.Options;

namespace JwtFunctions.Tokens;

/// <summary>Start-up checks of <see cref="JwtOptions"/>, each message saying how to fix it.</summary>
public sealed class JwtOptionsValidator : IValidateOptions<JwtOptions>
{
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add("Jwt:Issuer must not be empty; it is written to and required in every token's iss claim (default jwtfunctions).");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add("Jwt:Audience must not be empty; it is written to and required in every token's aud claim (default jwtfunctions-api).");
        }

        if (!JwtAlgorithms.IsSupported(options.Algorithm))
        {
            failures.Add("Jwt:Algorithm must be HS256, HS384 or HS512 (default HS256).");
        }

        if (options.AccessTokenLifetime < TimeSpan.FromMinutes(1) || options.AccessTokenLifetime > TimeSpan.FromDays(1))
        {
            failures.Add("Jwt:AccessTokenLifetime must be between 00:01:00 and 1.00:00:00 (default 00:15:00).");
        }

        if (options.RefreshTokenLifetime <= options.AccessTokenLifetime || options.RefreshTokenLifetime > TimeSpan.FromDays(365))
        {
            failures.Add("Jwt:RefreshTokenLifetime must be longer than Jwt:AccessTokenLifetime and at most 365.00:00:00 (default 30.00:00:00).");
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > MaxClockSkew)
        {
            failures.Add("Jwt:ClockSkew must be between 00:00:00 and 00:05:00 (default 00:01:00).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
