using System.Net;
using JwtFunctions.Accounts;
using JwtFunctions.Authentication;
using JwtFunctions.SigningKeys;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JwtFunctions.Endpoints;

/// <summary><c>GET /api/health</c>: 200 when a signing key is loaded and storage answers, else 503.</summary>
public sealed class Health(HealthProbe probe)
{
    [Function(nameof(Health))]
    [AnonymousFunction]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequestData request,
        CancellationToken cancellationToken)
    {
        var (healthy, report) = await probe.CheckAsync(cancellationToken);
        return await request.JsonAsync(healthy ? HttpStatusCode.OK : HttpStatusCode.ServiceUnavailable, report, ApiJsonContext.Default.HealthResponse, ("Cache-Control", "no-store"));
    }
}

/// <summary>
/// Health for probes: healthy when a signing key is loaded and storage answers. Names states only;
/// never a key, a connection string or an exception text.
/// </summary>
public sealed class HealthProbe(SigningKeyRing keys, UserStore users)
{
    private static readonly TimeSpan StorageTimeout = TimeSpan.FromSeconds(5);

    public async Task<(bool Healthy, HealthResponse Report)> CheckAsync(CancellationToken cancellationToken)
    {
        var storageOk = await StorageAnswersAsync(cancellationToken).ConfigureAwait(false);
        var keysUsable = keys.Current is not null;
        var keyState = keys.State switch
        {
            SigningKeyRingState.Ready => "loaded",
            SigningKeyRingState.Degraded => "cached",
            SigningKeyRingState.Invalid => "invalid",
            SigningKeyRingState.Unavailable => "unavailable",
            _ => "loading",
        };
        var status = !keysUsable || !storageOk ? "unhealthy" : keys.State == SigningKeyRingState.Degraded ? "degraded" : "healthy";
        return (keysUsable && storageOk, new HealthResponse(status, keyState, keys.SourceName, storageOk ? "ok" : "unavailable"));
    }

    private async Task<bool> StorageAnswersAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StorageTimeout);
        try
        {
            await users.PingAsync(timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}

public static class HealthServiceCollectionExtensions
{
    internal static IServiceCollection AddHealthProbe(this IServiceCollection services)
    {
        services.TryAddSingleton<HealthProbe>();
        return services;
    }
}
