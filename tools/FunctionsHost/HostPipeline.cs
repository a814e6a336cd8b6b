using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Constraints;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JwtFunctions.FunctionsHost;

/// <summary>
/// The host-level HTTP settings the Functions host reads from its app settings (local.settings.json
/// <c>Values</c>, the caller's variables, then the process environment) and, for CORS, from
/// local.settings.json's <c>Host</c> section as Core Tools does.
/// </summary>
public sealed record HostHttpSettings
{
    /// <summary><c>AzureWebJobsDisableHomepage</c> equals "true" (any case): <c>GET /</c> is a bare 204 instead of the homepage.</summary>
    public bool HomepageDisabled { get; init; }

    /// <summary><c>FUNCTIONS_REQUEST_BODY_SIZE_LIMIT</c> in bytes; null keeps the host's 100 MB default.</summary>
    public long? RequestBodySizeLimit { get; init; }

    /// <summary>The CORS policy, or null for none; see <see cref="CorsSource"/>.</summary>
    public CorsPolicy? Cors { get; init; }

    /// <summary>Where <see cref="Cors"/> came from, for the log.</summary>
    public string? CorsSource { get; init; }

    /// <summary>
    /// Reads the settings. Throws <see cref="InvalidOperationException"/> for a CORS policy the
    /// real host cannot build either (<c>*</c> with credentials: <c>CorsPolicyBuilder.Build()</c>
    /// throws there too, so that app does not start).
    /// </summary>
    public static HostHttpSettings Resolve(
        Func<string, string?> setting, string? coreToolsCors, bool coreToolsCorsCredentials)
    {
        // azure-functions-host src/WebJobs.Script.WebHost/Middleware/HomepageMiddleware.cs:
        // string.Equals(setting, bool.TrueString, StringComparison.OrdinalIgnoreCase).
        var homepageDisabled = string.Equals(setting("AzureWebJobsDisableHomepage"), bool.TrueString, StringComparison.OrdinalIgnoreCase);

        // azure-functions-host Middleware/HttpRequestBodySizeMiddleware.cs: long.TryParse of
        // FUNCTIONS_REQUEST_BODY_SIZE_LIMIT; a value that does not parse is ignored.
        long? bodyLimit = long.TryParse(setting("FUNCTIONS_REQUEST_BODY_SIZE_LIMIT"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var limit) ? limit : null;

        CorsPolicy? cors = null;
        string? source = null;
        if (!string.IsNullOrWhiteSpace(coreToolsCors))
        {
            // azure-functions-core-tools src/Cli/func/Actions/HostActions/Startup.cs: Host.CORS
            // (or --cors) split on ',', Host.CORSCredentials (or --cors-credentials).
            cors = BuildCorsPolicy(coreToolsCors.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), coreToolsCorsCredentials);
            source = "Host.CORS";
        }
        else if (setting("CORS_ALLOWED_ORIGINS") is { Length: > 0 } json)
        {
            // azure-functions-host Configuration/HostCorsOptionsSetup.cs (Flex Consumption, where
            // siteConfig.cors becomes these two settings): a JSON array and a bool.
            string[] origins;
            try
            {
                origins = JsonSerializer.Deserialize<string[]>(json) ?? [];
            }
            catch (JsonException e)
            {
                throw new InvalidOperationException($"CORS_ALLOWED_ORIGINS must be a JSON array of origins: {e.Message}", e);
            }

            var credentials = bool.TryParse(setting("CORS_SUPPORT_CREDENTIALS"), out var c) && c;
            cors = origins.Length == 0 ? null : BuildCorsPolicy(origins, credentials);
            source = "CORS_ALLOWED_ORIGINS";
        }

        return new HostHttpSettings { HomepageDisabled = homepageDisabled, RequestBodySizeLimit = bodyLimit, Cors = cors, CorsSource = source };
    }

    private static CorsPolicy BuildCorsPolicy(string[] origins, bool credentials)
    {
        // The policy both Core Tools and the host build: the origins, any header, any method,
        // optionally credentials; no Max-Age, no wildcard subdomains. Build() throws for "*" with
        // credentials, as it does in the real host.
        var builder = new CorsPolicyBuilder().WithOrigins(origins).AllowAnyHeader().AllowAnyMethod();
        if (credentials)
        {
            builder.AllowCredentials();
        }

        return builder.Build();
    }
}

/// <summary>The front door's request pipeline, in the order the Functions host runs it.</summary>
internal static class HostPipeline
{
    public static void Configure(WebApplication app, HostHttpSettings settings, string routePrefix, IReadOnlyList<HttpFunctionInfo> functions, HttpInvoker invoker, Action<LogLevel, string> log)
    {
        if (settings.Cors is { } policy)
        {
            // Core Tools runs UseCors before the whole host pipeline; the host's own
            // JobHostCorsMiddleware runs before any function. Either way a preflight (OPTIONS with
            // Origin and Access-Control-Request-Method) is answered 204 here and never reaches a
            // function, and a disallowed origin gets no CORS headers.
            app.UseMiddleware<CorsMiddleware>(policy);
        }

        if (settings.RequestBodySizeLimit is { } limit)
        {
            // azure-functions-host Middleware/HttpRequestBodySizeMiddleware.cs: the limit is set on
            // every request's IHttpMaxRequestBodySizeFeature. Kestrel throws (413) only when the
            // body is read beyond it; on the proxy path that fails forwarding, and the client gets
            // the host's bare 500 (ExceptionMiddleware), not 413.
            app.Use((context, next) =>
            {
                if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
                {
                    feature.MaxRequestBodySize = limit;
                }

                return next(context);
            });
        }

        app.UseRouter(BuildRoutes(app.Services.GetRequiredService<IInlineConstraintResolver>(), routePrefix, functions, invoker, log));

        // No function matched. azure-functions-host Middleware/HomepageMiddleware.cs: exactly "/"
        // (any method) is the homepage, or a bare 204 with AzureWebJobsDisableHomepage=true;
        // anything else falls off the end of the pipeline: 404, empty body.
        app.Run(context =>
        {
            if (context.Request.Path.Value != "/")
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            if (settings.HomepageDisabled)
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return Task.CompletedTask;
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "text/html";
            return context.Response.Body.WriteAsync(HomepageHtml).AsTask();
        });
    }

    /// <summary>
    /// Not the real host's embedded Home.html (not copied); the same status and content type. Set
    /// <c>AzureWebJobsDisableHomepage=true</c>, as infra/ does, for the 204.
    /// </summary>
    private static readonly byte[] HomepageHtml = Encoding.UTF8.GetBytes(
        "<!DOCTYPE html><html><head><title>Your Functions 4.0 app is up and running</title></head>"
        + "<body><h1>Your Functions 4.0 app is up and running</h1><p>Local Functions host (tools/FunctionsHost). "
        + "Set AzureWebJobsDisableHomepage=true to answer 204 here instead.</p></body></html>");

    /// <summary>
    /// Legacy (IRouter) routes, as azure-functions-extensions' <c>WebJobsRouteBuilder</c> builds
    /// them for azure-functions-host's <c>WebScriptHostHttpRoutesManager</c>: one <see cref="Route"/>
    /// per function, template = route prefix + route, and an <see cref="HttpMethodRouteConstraint"/>
    /// only when the function lists methods. A method outside the list does not match, so the
    /// request falls through to 404: the real host never answers 405, and HEAD does not match a
    /// GET route. Literals match case-insensitively and a trailing slash is ignored (ASP.NET Core
    /// template matching). Routes are tried static-before-parameter, longer-before-shorter, in
    /// WebJobsRouteBuilder's order.
    /// </summary>
    private static RouteCollection BuildRoutes(IInlineConstraintResolver resolver, string routePrefix, IReadOnlyList<HttpFunctionInfo> functions, HttpInvoker invoker, Action<LogLevel, string> log)
    {
        var routes = new List<Route>();
        foreach (var function in functions)
        {
            var template = routePrefix.Length == 0 ? function.RouteTemplate : $"{routePrefix}/{function.RouteTemplate}";
            var constraints = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            if (function.Methods is { Count: > 0 } methods)
            {
                constraints["httpMethod"] = new HttpMethodRouteConstraint([.. methods]);
            }

            try
            {
                routes.Add(new Route(new RouteHandler(context => invoker.HandleAsync(context, function)), $"Functions.{function.Name}", template, defaults: null, constraints, dataTokens: null, resolver));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                log(LogLevel.Error, $"Function '{function.Name}': route '{template}' is not valid ({e.Message}); not served.");
            }
        }

        routes.Sort(CompareSpecificity);
        var collection = new RouteCollection();
        foreach (var route in routes)
        {
            collection.Add(route);
        }

        return collection;
    }

    private static int CompareSpecificity(Route x, Route y)
    {
        var xs = x.ParsedTemplate.Segments;
        var ys = y.ParsedTemplate.Segments;
        for (var i = 0; i < xs.Count; i++)
        {
            if (i >= ys.Count)
            {
                return -1;
            }

            TemplatePart a = xs[i].Parts[0], b = ys[i].Parts[0];
            if (a.IsParameter != b.IsParameter)
            {
                return a.IsParameter ? 1 : -1;
            }

            var order = a.IsParameter
                ? b.InlineConstraints.Count().CompareTo(a.InlineConstraints.Count())
                : string.Compare(a.Text, b.Text, StringComparison.OrdinalIgnoreCase);
            if (order != 0)
            {
                return order;
            }
        }

        return ys.Count > xs.Count ? 1 : 0;
    }
}
