using JwtFunctions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JwtFunctions.Revocation;

public static class RevocationServiceCollectionExtensions
{
    /// <summary>The revocation list (reloaded in the background) and the revoker.</summary>
    public static IServiceCollection AddRevocation(this IServiceCollection services)
    {
        services.AddValidatedOptions<RevocationOptions, RevocationOptionsValidator>(RevocationOptions.SectionName);
        services.TryAddSingleton<RevocationList>();
        services.TryAddSingleton<TokenRevoker>();
        services.AddHostedService<RevocationRefreshService>();
        return services;
    }
}
