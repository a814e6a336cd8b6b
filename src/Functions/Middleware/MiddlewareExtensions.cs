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

    /// <summary>The Bearer middleware and what it needs.</summary>
    public static IFunctionsWorkerApplicationBuilder UseBearerAuthentication(this IFunctionsWorkerApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<EndpointAccessResolver>();
        builder.Services.TryAddSingleton<BearerAuthenticator>();
        return builder.UseMiddleware<BearerAuthenticationMiddleware>();
    }
}
