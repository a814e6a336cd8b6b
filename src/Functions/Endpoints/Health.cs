using System.Net;
using JwtFunctions.Accounts;
using JwtFunctions.Authentication;
using JwtFunctions.SigningKeys;
using JwtFunctions.Tokens;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace JwtFunctions.Endpoints;

/// <summary>
/// <c>GET /api/health</c>: 200 when tokens can be issued and storage answers, else 503. The public
/// answer is the status alone; which dependency is down goes to the log, and to a caller with a
/// valid access token.
/// </summary>
public sealed class Health(HealthProbe probe, BearerAuthenticator authenticator)
{
    [Function(nameof(Health))]
    [AnonymousFunction]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequestData request,
        CancellationToken cancellationToken)
    {
        var (healthy, report) = await probe.CheckAsync(cancellationToken);
        var status = healthy ? HttpStatusCode.OK : HttpStatusCode.ServiceUnavailable;
        if (RequestHeaders.Get(request, "Authorization") is { Count: > 0 } authorization
            && (await authenticator.AuthenticateAsync(authorization, TokenKind.Access, cancellationToken)).Principal is not null)
        {
            return await request.JsonAsync(status, report, ApiJsonContext.Default.HealthResponse, ("Cache-Control", "no-store"));
        }

        return await request.JsonAsync(status, new HealthStatusResponse(report.Status), ApiJsonContext.Default.HealthStatusResponse, ("Cache-Control", "no-store"));
    }
}

/// <summary>
/// Health for probes: healthy when tokens can be issued and storage answers. Names states only;
/// never a key, a connection string or an exception text.
/// </summary>
public sealed class HealthProbe(SigningKeyRing keys, UserStore users, ILogger<HealthProbe> logger)
{
    private static readonly TimeSpan StorageTimeout = TimeSpan.FromSeconds(5);
    private string? _lastReport;

    public async Task<(bool Healthy, HealthResponse Report)> CheckAsync(CancellationToken cancellationToken)
    {
        var storageOk = await StorageAnswersAsync(cancellationToken).ConfigureAwait(false);
        var issuing = keys.CanIssue;
        var keyState = keys.State switch
        {
            SigningKeyRingState.Ready => "loaded",
            SigningKeyRingState.Degraded => "cached",
            SigningKeyRingState.Invalid => "invalid",
            SigningKeyRingState.Unavailable => "unavailable",
            SigningKeyRingState.AccessDenied => "access-denied",
            SigningKeyRingState.Expired => "expired",
            _ => "loading",
        };

        // Healthy means tokens can be issued: a vault that refused access past the grace period is
        // unhealthy even while tokens issued before are still accepted.
        var status = !issuing || !storageOk ? "unhealthy"
            : keys.State is SigningKeyRingState.Degraded or SigningKeyRingState.AccessDenied ? "degraded" : "healthy";
        var report = new HealthResponse(status, keyState, keys.SourceName, storageOk ? "ok" : "unavailable", issuing, keys.IssuingStopsAt);
        LogIfChanged(report);
        return (issuing && storageOk, report);
    }

    /// <summary>One log line per change of the report, not one per probe.</summary>
    private void LogIfChanged(HealthResponse report)
    {
        var text = $"{report.Status}: signing keys {report.SigningKeys} ({report.KeySource}), storage {report.Storage}"
            + (report.IssuingStopsAt is { } stops ? $", issuing {(report.Issuing ? "until" : "stopped at")} {stops:O}" : report.Issuing ? string.Empty : ", not issuing");
        if (Interlocked.Exchange(ref _lastReport, text) == text)
        {
            return;
        }

        if (report.Status == "healthy")
        {
            HealthLog.Healthy(logger, text);
        }
        else
        {
            HealthLog.NotHealthy(logger, text);
        }
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

internal static partial class HealthLog
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Health {Report}")]
    public static partial void Healthy(ILogger logger, string report);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Health {Report}")]
    public static partial void NotHealthy(ILogger logger, string report);
}
