using System.Net;
using JwtFunctions.HealthChecks;
using JwtFunctions.Http;
using JwtFunctions.Middleware;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.Functions;

/// <summary><c>GET /api/health</c>: 200 when a signing key is loaded and storage answers, else 503.</summary>
public sealed class Health(HealthProbe probe)
{
    [Function(nameof(Health))]
    [AllowAnonymous]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequestData request,
        CancellationToken cancellationToken)
    {
        var (healthy, report) = await probe.CheckAsync(cancellationToken);
        return await request.JsonAsync(healthy ? HttpStatusCode.OK : HttpStatusCode.ServiceUnavailable, report, ApiJsonContext.Default.HealthResponse, ("Cache-Control", "no-store"));
    }
}
