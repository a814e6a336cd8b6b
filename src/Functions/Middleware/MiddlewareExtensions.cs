using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace JwtFunctions.Middleware;

public static class MiddlewareExtensions
{
    /// <summary>The exception middleware; register it first so it wraps everything after it.</summary>
    public static IFunctionsWorkerApplicationBuilder UseExceptionHandling(this IFunctionsWorkerApplicationBuilder builder) =>
        builder.UseMiddleware<ExceptionHandlingMiddleware>();

    /// <summary>The Bearer middleware, and the services it needs.</summary>
    public static IFunctionsWorkerApplicationBuilder UseBearerAuthentication(this IFunctionsWorkerApplicationBuilder builder)
    {
        builder.Services.AddBearerAuthentication();
        return builder.UseMiddleware<BearerAuthenticationMiddleware>();
    }

    /// <summary>What the Bearer middleware needs, without the middleware (for hosts other than the worker).</summary>
    public static IServiceCollection AddBearerAuthentication(this IServiceCollection services)
    {
        services.TryAddSingleton<EndpointAccessResolver>();
        services.TryAddSingleton<BearerAuthenticator>();
        return services;
    }
}
