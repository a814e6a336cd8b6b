using System.Net;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Primitives;

namespace JwtFunctions.Endpoints;

/// <summary>
/// The address a request came from, for per-source throttling. Under ASP.NET Core integration it
/// is the worker's <c>HttpContext.Connection.RemoteIpAddress</c>, which the worker's forwarded-headers
/// middleware (on by default, trusting only the loopback proxy) takes from the one
/// <c>X-Forwarded-For</c> the Functions host sends: the host forwards with YARP's default
/// transformer, whose X-Forwarded-For transform <em>sets</em> the header to the host's own view of
/// the peer, replacing whatever the client sent. In Azure that peer is the address the App Service
/// front end connected from (also in its <c>CLIENT-IP</c> / <c>X-Client-IP</c>), so a client cannot
/// choose it. Behind Front Door or API Management it is theirs: throttle there too (README, "Throttling").
/// </summary>
internal static class ClientAddress
{
    public static IPAddress? Of(HttpRequestData request)
    {
#if HTTP_ASPNETCORE
        return request.FunctionContext.GetHttpContext()?.Connection.RemoteIpAddress;
#else
        // The built-in HTTP model (bench/ only) has no connection: every request shares one count.
        return null;
#endif
    }
}

/// <summary>
/// A request header's values as received. Under ASP.NET Core integration they come straight from
/// <c>HttpContext.Request.Headers</c>: the worker's <see cref="HttpRequestData.Headers"/> there
/// copies every request header into a new collection on first use (AspNetCoreHttpRequestData), a
/// cost paid on every protected request for the one header the Bearer check reads.
/// </summary>
internal static class RequestHeaders
{
    public static StringValues Get(HttpRequestData request, string name)
    {
#if HTTP_ASPNETCORE
        if (request.FunctionContext.GetHttpContext() is { } http)
        {
            return http.Request.Headers[name];
        }
#endif
        if (!request.Headers.NonValidated.TryGetValues(name, out var values))
        {
            return StringValues.Empty;
        }

        return values.Count == 1 ? new StringValues(values.ToString()) : new StringValues([.. values]);
    }
}
