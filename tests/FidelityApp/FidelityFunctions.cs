using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace JwtFunctions.FidelityApp;

/// <summary>The functions the host fidelity table (tests/EndToEnd.Tests/HostFidelity/fidelity.json) runs.</summary>
public sealed class FidelityFunctions
{
    /// <summary>
    /// Any method (no methods listed): answers 200 with what the worker received — method, path,
    /// raw query string, query and headers (names lower-cased, every value) and the body's
    /// length — as JSON, plus response headers the table checks: <c>X-Echo</c> (copied to the
    /// client) and <c>Alt-Svc</c> (dropped by the host's forwarder, YARP).
    /// </summary>
    [Function("Echo")]
    public static async Task<IActionResult> Echo([HttpTrigger(AuthorizationLevel.Anonymous, Route = "v1.0/echo")] HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var echo = new
        {
            method = request.Method,
            path = request.Path.Value,
            queryString = request.QueryString.Value,
            query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToArray()),
            headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToArray()),
            remoteAddress = request.HttpContext.Connection.RemoteIpAddress?.ToString(),
            bodyLength = body.Length,
        };
        var headers = request.HttpContext.Response.Headers;
        headers["X-Echo"] = "yes";
        headers.AltSvc = "h3=\":443\"";
        return new ContentResult
        {
            StatusCode = StatusCodes.Status200OK,
            ContentType = "application/json; charset=utf-8",
            Content = JsonSerializer.Serialize(echo),
        };
    }

    /// <summary>GET only: 200 "get-only".</summary>
    [Function("GetOnly")]
    public static IActionResult GetOnly([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1.0/get-only")] HttpRequest request)
        => new ContentResult { StatusCode = StatusCodes.Status200OK, ContentType = "text/plain; charset=utf-8", Content = "get-only" };

    /// <summary>Throws: the invocation fails.</summary>
    [Function("Throw")]
    public static IActionResult Throw([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1.0/throw")] HttpRequest request)
        => throw new InvalidOperationException("The fidelity app's Throw function failed on purpose.");

    /// <summary>Aborts the worker's connection without an answer: forwarding to the worker fails.</summary>
    [Function("Abort")]
    public static IActionResult Abort([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1.0/abort")] HttpRequest request)
    {
        request.HttpContext.Abort();
        return new EmptyResult();
    }
}
