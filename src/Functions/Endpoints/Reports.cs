using System.Net;
using JwtFunctions.Authentication;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Logging;

namespace JwtFunctions.Endpoints;

/// <summary>
/// <c>GET /api/v1.0/reports/export</c>: the example of a scoped function. It needs both the
/// <c>reports:read</c> and the <c>reports:export</c> scope; a valid token without either gets 403
/// <c>insufficient_scope</c> from the Bearer middleware and this code never runs. Each export it
/// serves is logged (the caller's name), which is how the tests see whether it ran.
/// </summary>
public sealed class ReportsExport(ILogger<ReportsExport> logger)
{
    public const string ReadScope = "reports:read";
    public const string ExportScope = "reports:export";

    [Function(nameof(ReportsExport))]
    [RequireScope(ReadScope)]
    [RequireScope(ExportScope)]
    public Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1.0/reports/export")] HttpRequestData request,
        FunctionContext context)
    {
        // The standard principal: ASP.NET Core's HttpContext.User under the integration model
        // (set by the Bearer middleware), the same object from the FunctionContext otherwise.
#if HTTP_ASPNETCORE
        var caller = context.GetHttpContext()?.User ?? context.GetClaimsPrincipal()!;
#else
        var caller = context.GetClaimsPrincipal()!;
#endif
        var username = caller.Identity!.Name!;
        ReportsLog.Exported(logger, username);
        return request.JsonAsync(HttpStatusCode.OK, new MeResponse(username, [.. caller.FindAll("roles").Select(c => c.Value)], caller.FindFirst("scope")?.Value ?? string.Empty), ApiJsonContext.Default.MeResponse);
    }
}

internal static partial class ReportsLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Report export served to {User}")]
    public static partial void Exported(ILogger logger, string user);
}
