using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JwtFunctions.HealthChecks;

public static class HealthServiceCollectionExtensions
{
    public static IServiceCollection AddHealthProbe(this IServiceCollection services)
    {
        services.TryAddSingleton<HealthProbe>();
        return services;
    }
}
