using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using JwtFunctions.FunctionsHost.Rpc;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace JwtFunctions.FunctionsHost;

/// <summary>
/// Runs one front-door HTTP request as an invocation, in the worker's HTTP model:
/// <list type="bullet">
/// <item>proxy (the worker advertised <c>HttpUri</c>, ASP.NET Core integration): the request is
/// forwarded to the worker's server by <see cref="HttpForwarding"/> and the InvocationRequest
/// carries an empty <c>RpcHttp</c>, as azure-functions-host's <c>GrpcWorkerChannel</c> and
/// <c>GrpcMessageConversionExtensions.ToRpcHttp</c> do for a proxying worker;</item>
/// <item>RpcHttp (built-in model): the request travels inside the InvocationRequest (as the host
/// builds it for a worker that advertises RpcHttpBodyOnly, RawHttpBodyBytes and
/// UseNullableValueDictionaryForHttp) and the worker's InvocationResponse becomes the response.</item>
/// </list>
/// </summary>
internal sealed class HttpInvoker(WorkerChannel channel, WorkerCapabilities capabilities, HttpForwarding? forwarding, Action<LogLevel, string> log)
{
    private static readonly HashSet<string> ResponseHeadersNotCopied = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade",
    };

    public async Task HandleAsync(HttpContext context, HttpFunctionInfo function)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        var aborted = context.RequestAborted;
        var invocation = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = function.FunctionId,
            TraceContext = new RpcTraceContext
            {
                TraceParent = $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00",
            },
        };

        // Proxy mode: no request data in the message (the worker reads the forwarded request).
        var http = forwarding is null ? await BuildRpcHttpAsync(request, aborted).ConfigureAwait(false) : new RpcHttp();
        invocation.InputData.Add(new ParameterBinding { Name = function.TriggerBindingName, Data = new TypedData { Http = http } });
        AddTriggerMetadata(invocation, request);

        // As the host does: forwarding starts first, then the invocation is sent; the outcome is
        // known when both have finished.
        var forwarded = forwarding?.StartAsync(context, invocation.InvocationId).AsTask();
        InvocationResponse? response = null;
        string? failure = null;
        try
        {
            response = await channel.InvokeAsync(invocation, aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            TryCancel(invocation.InvocationId);
            await ForwardedAsync(forwarded).ConfigureAwait(false);
            log(LogLevel.Information, $"Executed 'Functions.{function.Name}' (Cancelled, Id={invocation.InvocationId}): the client went away.");
            return;
        }
        catch (WorkerUnavailableException e)
        {
            failure = e.Message;
        }

        var forwardError = await ForwardedAsync(forwarded).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (response is not null && response.Result?.Status != StatusResult.Types.Status.Success)
        {
            var exception = response.Result?.Exception;
            failure = response.Result?.Status.ToString() ?? "no result";
            if (exception is not null)
            {
                failure += $"{Environment.NewLine}{exception.Message}{Environment.NewLine}{exception.StackTrace}";
            }
        }
        else if (forwardError is not ForwarderError.None and not null && !aborted.IsCancellationRequested)
        {
            // (A client that went away is only logged by the host, not turned into a failure.)
            // DefaultHttpProxyService.EnsureSuccessfulForwardingAsync throws for it, which fails
            // the invocation: the host's answer is then the same as for a failed function.
            failure = $"Failed to proxy request with ForwarderError: {forwardError}"
                + (context.Features.Get<IForwarderErrorFeature>()?.Exception is { } forwardException ? $" ({forwardException.Message})" : string.Empty);
        }

        if (failure is not null)
        {
            // As the Functions host does: a failed invocation is a bare 500 when nothing has been
            // sent yet; the details go to the log only.
            log(LogLevel.Error, $"Executed 'Functions.{function.Name}' (Failed, Id={invocation.InvocationId}, Duration={elapsed.TotalMilliseconds:0}ms): {failure}");
            if (!context.Response.HasStarted)
            {
                // ExceptionMiddleware only sets the status: headers the forwarder already copied
                // from the worker's answer stay, the body stays empty.
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }

            return;
        }

        if (forwarding is null)
        {
            await WriteResponseAsync(context.Response, FindHttpOutput(function, response!), aborted).ConfigureAwait(false);
        }

        log(LogLevel.Information,
            $"Executed 'Functions.{function.Name}' (Succeeded, Id={invocation.InvocationId}, Duration={elapsed.TotalMilliseconds:0}ms) {request.Method} {request.Path} -> {context.Response.StatusCode}");
    }

    private static async Task<ForwarderError?> ForwardedAsync(Task<ForwarderError>? forwarded) =>
        forwarded is null ? null : await forwarded.ConfigureAwait(false);

    private void TryCancel(string invocationId)
    {
        try
        {
            channel.Send(new StreamingMessage { InvocationCancel = new InvocationCancel { InvocationId = invocationId } });
        }
        catch (WorkerUnavailableException)
        {
        }
    }

    private async Task<RpcHttp> BuildRpcHttpAsync(HttpRequest request, CancellationToken cancellation)
    {
        var http = new RpcHttp
        {
            Method = request.Method,
            Url = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}",
        };

        // Multi-value headers and query keys travel as one comma-joined value, as in the real host.
        foreach (var (key, values) in request.Headers)
        {
            var name = key.ToLowerInvariant();
            var value = values.ToString();
            if (capabilities.UseNullableValueDictionaryForHttp)
            {
                http.NullableHeaders[name] = new NullableString { Value = value };
            }
            else if (value.Length > 0)
            {
                http.Headers[name] = value;
            }
        }

        foreach (var (key, values) in request.Query)
        {
            var value = values.ToString();
            if (capabilities.UseNullableValueDictionaryForHttp)
            {
                http.NullableQuery[key] = new NullableString { Value = value };
            }
            else if (value.Length > 0)
            {
                http.Query[key] = value;
            }
        }

        foreach (var (key, routeValue) in request.RouteValues)
        {
            if (routeValue is null)
            {
                continue;
            }

            var value = Convert.ToString(routeValue, CultureInfo.InvariantCulture) ?? string.Empty;
            if (capabilities.UseNullableValueDictionaryForHttp)
            {
                http.NullableParams[key] = new NullableString { Value = value };
            }
            else
            {
                http.Params[key] = value;
            }
        }

        // azure-functions-host GrpcMessageConversionExtensions.ToRpcHttp copies the body only when
        // the request declares Content-Length > 0: a chunked body never reaches a worker on this
        // model (host issues 4926, 7930). The same here, so that tests see what users get.
        if (request.ContentLength is not > 0)
        {
            return http;
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellation).ConfigureAwait(false);
        if (body.Length > 0)
        {
            // The worker only accepts the body as bytes (GrpcHttpRequestData), whatever its type.
            http.Body = new TypedData { Bytes = ByteString.CopyFrom(body.GetBuffer(), 0, (int)body.Length) };
        }

        return http;
    }

    private static void AddTriggerMetadata(InvocationRequest invocation, HttpRequest request)
    {
        // Route values bind to function parameters by name; Query and Headers as the HTTP
        // extension's binding data has them.
        foreach (var (key, routeValue) in request.RouteValues)
        {
            if (routeValue is not null)
            {
                invocation.TriggerMetadata[key] = new TypedData { String = Convert.ToString(routeValue, CultureInfo.InvariantCulture) ?? string.Empty };
            }
        }

        var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        invocation.TriggerMetadata["Query"] = new TypedData { Json = JsonSerializer.Serialize(query) };
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        invocation.TriggerMetadata["Headers"] = new TypedData { Json = JsonSerializer.Serialize(headers) };
    }

    private static TypedData? FindHttpOutput(HttpFunctionInfo function, InvocationResponse response)
    {
        if (function.HttpOutputBindingName is { } name && name != "$return")
        {
            var binding = response.OutputData.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));
            if (binding?.Data is not null)
            {
                return binding.Data;
            }
        }

        return response.ReturnValue;
    }

    private static async Task WriteResponseAsync(HttpResponse response, TypedData? output, CancellationToken cancellation)
    {
        byte[] body;
        string? defaultContentType = null;
        switch (output?.DataCase)
        {
            case TypedData.DataOneofCase.Http:
                var http = output.Http;
                response.StatusCode = string.IsNullOrEmpty(http.StatusCode)
                    ? StatusCodes.Status200OK
                    : int.Parse(http.StatusCode, NumberStyles.Integer, CultureInfo.InvariantCulture);
                foreach (var (key, value) in http.Headers)
                {
                    if (!ResponseHeadersNotCopied.Contains(key))
                    {
                        response.Headers.Append(key, value);
                    }
                }

                foreach (var cookie in http.Cookies)
                {
                    response.Headers.Append("Set-Cookie", FormatSetCookie(cookie));
                }

                body = BodyBytes(http.Body, out defaultContentType);
                break;
            case null:
            case TypedData.DataOneofCase.None:
                response.StatusCode = StatusCodes.Status204NoContent;
                return;
            default:
                // A function whose HTTP output is a plain value: 200 with that value as the body.
                response.StatusCode = StatusCodes.Status200OK;
                body = BodyBytes(output, out defaultContentType);
                break;
        }

        if (body.Length == 0 || response.StatusCode is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
        {
            return;
        }

        if (!response.Headers.ContainsKey("Content-Type") && defaultContentType is not null)
        {
            response.ContentType = defaultContentType;
        }

        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, cancellation).ConfigureAwait(false);
    }

    private static byte[] BodyBytes(TypedData? data, out string? defaultContentType)
    {
        defaultContentType = null;
        switch (data?.DataCase)
        {
            case TypedData.DataOneofCase.Bytes:
                return data.Bytes.ToByteArray();
            case TypedData.DataOneofCase.Stream:
                return data.Stream.ToByteArray();
            case TypedData.DataOneofCase.String:
                defaultContentType = "text/plain; charset=utf-8";
                return Encoding.UTF8.GetBytes(data.String);
            case TypedData.DataOneofCase.Json:
                defaultContentType = "application/json; charset=utf-8";
                return Encoding.UTF8.GetBytes(data.Json);
            case TypedData.DataOneofCase.Int:
                defaultContentType = "text/plain; charset=utf-8";
                return Encoding.UTF8.GetBytes(data.Int.ToString(CultureInfo.InvariantCulture));
            case TypedData.DataOneofCase.Double:
                defaultContentType = "text/plain; charset=utf-8";
                return Encoding.UTF8.GetBytes(data.Double.ToString(CultureInfo.InvariantCulture));
            default:
                return [];
        }
    }

    internal static string FormatSetCookie(RpcHttpCookie cookie)
    {
        var text = new StringBuilder();
        text.Append(cookie.Name).Append('=').Append(cookie.Value);
        if (cookie.Domain is { StringCase: NullableString.StringOneofCase.Value } domain)
        {
            text.Append("; domain=").Append(domain.Value);
        }

        if (cookie.Path is { StringCase: NullableString.StringOneofCase.Value } path)
        {
            text.Append("; path=").Append(path.Value);
        }

        if (cookie.Expires is { TimestampCase: NullableTimestamp.TimestampOneofCase.Value } expires)
        {
            text.Append("; expires=").Append(expires.Value.ToDateTimeOffset().ToString("R", CultureInfo.InvariantCulture));
        }

        if (cookie.MaxAge is { DoubleCase: NullableDouble.DoubleOneofCase.Value } maxAge)
        {
            text.Append("; max-age=").Append(((long)maxAge.Value).ToString(CultureInfo.InvariantCulture));
        }

        if (cookie.Secure is { BoolCase: NullableBool.BoolOneofCase.Value, Value: true })
        {
            text.Append("; secure");
        }

        if (cookie.HttpOnly is { BoolCase: NullableBool.BoolOneofCase.Value, Value: true })
        {
            text.Append("; httponly");
        }

        switch (cookie.SameSite)
        {
            case RpcHttpCookie.Types.SameSite.Lax:
                text.Append("; samesite=lax");
                break;
            case RpcHttpCookie.Types.SameSite.Strict:
                text.Append("; samesite=strict");
                break;
            case RpcHttpCookie.Types.SameSite.ExplicitNone:
                text.Append("; samesite=none");
                break;
        }

        return text.ToString();
    }
}

/// <summary>The worker capabilities (from WorkerInitResponse) that change what the host sends.</summary>
/// <param name="HttpUri">The worker's own HTTP server (ASP.NET Core integration): requests are proxied to it.</param>
internal sealed record WorkerCapabilities(bool UseNullableValueDictionaryForHttp, bool RawHttpBodyBytes, bool RpcHttpBodyOnly, Uri? HttpUri)
{
    public static WorkerCapabilities From(IDictionary<string, string> capabilities) => new(
        capabilities.ContainsKey("UseNullableValueDictionaryForHttp"),
        capabilities.ContainsKey("RawHttpBodyBytes"),
        capabilities.ContainsKey("RpcHttpBodyOnly"),
        capabilities.TryGetValue("HttpUri", out var uri) && Uri.TryCreate(uri, UriKind.Absolute, out var parsed) ? parsed : null);
}
