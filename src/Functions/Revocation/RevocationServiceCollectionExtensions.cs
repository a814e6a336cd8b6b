using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Revocation;

public static class RevocationServiceCollectionExtensions
{
    /// <summary>The revocation list (reloaded in the background) and the revoker.</summary>
    public static IServiceCollection AddRevocation(this IServiceCollection services)
    {
        services.AddOptions<RevocationOptions>().BindConfiguration(RevocationOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RevocationOptions>, RevocationOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RevocationList>();
        services.TryAddSingleton<TokenRevoker>();
        services.AddHostedService<RevocationRefreshService>();
        return services;
    }
}
