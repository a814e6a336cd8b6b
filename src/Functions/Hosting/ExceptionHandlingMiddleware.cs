using System.Net;
using Azure;
using JwtFunctions.Accounts;
using JwtFunctions.Authentication;
using JwtFunctions.Endpoints;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JwtFunctions.Hosting;

/// <summary>
/// First in the pipeline. A dependency that is down (storage or Key Vault: no answer, timeout,
/// 408/429/5xx) becomes 503 with <c>Retry-After</c>; anything else unexpected is logged and becomes a
/// bare 500. No exception text or stack trace reaches the client.
/// </summary>
public sealed class ExceptionHandlingMiddleware(ILogger<ExceptionHandlingMiddleware> logger) : IFunctionsWorkerMiddleware
{
    internal static readonly ApiError HashCapacityExhausted = new(HttpStatusCode.ServiceUnavailable, OAuthErrors.TemporarilyUnavailable, "Too many logins at once on this instance; try again shortly");
    private static readonly ApiError ServerError = new(HttpStatusCode.InternalServerError, OAuthErrors.ServerError, "The server could not complete the request");

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.CancellationToken.IsCancellationRequested)
        {
            var request = await context.GetHttpRequestDataAsync().ConfigureAwait(false);
            if (request is null)
            {
                throw;
            }

            if (FindHashCapacityRefusal(ex))
            {
                // Logged by PasswordHashGate; 503 with Retry-After like a dependency outage.
                context.GetInvocationResult().Value = await request.ErrorAsync(HashCapacityExhausted).ConfigureAwait(false);
                return;
            }

            if (FindSigningKeyExpiry(ex))
            {
                // Logged by the key ring when the last version expired; the same 503 as any missing key.
                context.GetInvocationResult().Value = await request.TokenRejectedAsync(Tokens.TokenFailure.KeysUnavailable).ConfigureAwait(false);
                return;
            }

            if (FindDependencyFailure(ex) is { } dependency)
            {
                MiddlewareLog.DependencyUnavailable(logger, context.FunctionDefinition.Name, dependency.GetType().Name, (dependency as RequestFailedException)?.Status ?? 0);
                context.GetInvocationResult().Value = await request.StorageUnavailableAsync().ConfigureAwait(false);
                return;
            }

            MiddlewareLog.Unhandled(logger, context.FunctionDefinition.Name, ex);
            context.GetInvocationResult().Value = await request.ErrorAsync(ServerError).ConfigureAwait(false);
        }
    }

    /// <summary>Whether every password-hashing slot stayed busy (<see cref="PasswordHashCapacityException"/> in the chain).</summary>
    public static bool FindHashCapacityRefusal(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is PasswordHashCapacityException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the last signing key version expired while a token was being issued (<see cref="SigningKeys.SigningKeyUnavailableException"/> in the chain).</summary>
    public static bool FindSigningKeyExpiry(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is SigningKeys.SigningKeyUnavailableException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The exception in the chain that means "a dependency did not answer properly", if any.</summary>
    public static Exception? FindDependencyFailure(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case RequestFailedException { Status: 0 or 408 or 429 or >= 500 }:
                case HttpRequestException:
                case TimeoutException:
                case TaskCanceledException:
                    return current;
                case AggregateException aggregate when aggregate.InnerExceptions.Count > 0:
                    return aggregate.InnerExceptions.Select(FindDependencyFailure).FirstOrDefault(e => e is not null);
            }
        }

        return null;
    }
}

public static class ExceptionHandlingExtensions
{
    /// <summary>The exception middleware; register it first so it wraps everything after it.</summary>
    public static IFunctionsWorkerApplicationBuilder UseExceptionHandling(this IFunctionsWorkerApplicationBuilder builder) =>
        builder.UseMiddleware<ExceptionHandlingMiddleware>();
}
