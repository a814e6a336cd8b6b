using JwtFunctions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Revocation;

/// <summary>Access-token revocation, bound from the <c>Revocation</c> section.</summary>
public sealed class RevocationOptions
{
    public const string SectionName = "Revocation";

    /// <summary>
    /// How often each instance re-reads the revocation table. A revocation takes effect at once on
    /// the instance that performed it and within this interval on every other one. Default 15 seconds.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(15);
}

public sealed class RevocationOptionsValidator : IValidateOptions<RevocationOptions>
{
    public ValidateOptionsResult Validate(string? name, RevocationOptions options) =>
        options.RefreshInterval < TimeSpan.FromSeconds(1) || options.RefreshInterval > TimeSpan.FromMinutes(5)
            ? ValidateOptionsResult.Fail("Revocation:RefreshInterval must be between 00:00:01 and 00:05:00 (default 00:00:15); it bounds how long a revoked token still works on other instances.")
            : ValidateOptionsResult.Success;
}

public static class RevocationServiceCollectionExtensions
{
    /// <summary>The revocation list (reloaded in the background) and the revoker.</summary>
    internal static IServiceCollection AddRevocation(this IServiceCollection services)
    {
        services.AddValidatedOptions<RevocationOptions, RevocationOptionsValidator>(RevocationOptions.SectionName);
        services.TryAddSingleton<RevocationList>();
        services.TryAddSingleton<UserTokenRevoker>();
        services.TryAddSingleton<TokenRevoker>();
        services.AddHostedService<RevocationRefreshService>();
        return services;
    }
}
