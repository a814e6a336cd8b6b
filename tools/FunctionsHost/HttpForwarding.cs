using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace JwtFunctions.FunctionsHost;

/// <summary>
/// The proxy path the Functions host uses for a worker that advertises the <c>HttpUri</c>
/// capability (ASP.NET Core integration): the incoming request is forwarded as received, body
/// streamed in whatever framing it came, to the worker's own HTTP server with the
/// <c>x-ms-invocation-id</c> correlation header, while the invocation goes over gRPC with an
/// empty <c>RpcHttp</c>. The worker's response is copied back by the forwarder.
/// </summary>
/// <remarks>
/// Mirrors azure-functions-host <c>src/WebJobs.Script/Http/DefaultHttpProxyService.cs</c>,
/// <c>RetryProxyHandler.cs</c> and <c>ScriptInvocationRequestTransformer.cs</c>: YARP's
/// <see cref="IHttpForwarder"/> with <see cref="HttpTransformer.Default"/>, a
/// <see cref="SocketsHttpHandler"/> without redirects or cookies behind a connect-retry handler,
/// and a 240 s activity timeout; the target is the worker's <c>HttpUri</c> + the original path
/// and query.
/// </remarks>
internal sealed class HttpForwarding : IDisposable
{
    /// <summary>The correlation header the worker matches to <c>InvocationRequest.invocation_id</c>.</summary>
    public const string InvocationIdHeader = "x-ms-invocation-id";

    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromSeconds(240) };

    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _invoker;
    private readonly string _destination;

    public HttpForwarding(IHttpForwarder forwarder, Uri workerHttpUri, Action<LogLevel, string> log)
    {
        _forwarder = forwarder;
        _destination = workerHttpUri.AbsoluteUri;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            // Kestrel accepts UTF-8 in request header values, but HttpClient refuses to send
            // anything but ASCII unless told an encoding: the forward would fail and the client
            // wait for the worker's 15 s timeout, then get a 500. In Azure the App Service front
            // end re-encodes such values to ASCII before the host sees them (azure-functions-host
            // issue 9718), so the app answers them; this host has no front end, and forwards them
            // as UTF-8 instead, so that the app answers them here too (fidelity table, row
            // "non-ASCII header value").
            RequestHeaderEncodingSelector = static (_, _) => Encoding.UTF8,
        };
        _invoker = new HttpMessageInvoker(new ConnectRetryHandler(handler, log), disposeHandler: true);
    }

    /// <summary>The worker's HTTP server, as it advertised it.</summary>
    public string Destination => _destination;

    /// <summary>
    /// Starts forwarding the request to the worker; the returned task completes when the worker's
    /// answer has been copied to <paramref name="context"/> or forwarding failed.
    /// </summary>
    public ValueTask<ForwarderError> StartAsync(HttpContext context, string invocationId)
    {
        // Set, not added: a client-sent header of the same name never steers the correlation.
        context.Request.Headers[InvocationIdHeader] = invocationId;
        return _forwarder.SendAsync(context, _destination, _invoker, RequestConfig, HttpTransformer.Default);
    }

    public void Dispose() => _invoker.Dispose();

    /// <summary>
    /// Retries a request that could not be sent (the worker's server not listening yet): up to
    /// 10 times, 50 ms doubling to 250 ms between tries, as the host's <c>RetryProxyHandler</c>.
    /// Only connection failures are retried, before any of the body has been read.
    /// </summary>
    private sealed class ConnectRetryHandler(HttpMessageHandler inner, Action<LogLevel, string> log) : DelegatingHandler(inner)
    {
        private const int MaxRetries = 10;
        private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);
        private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(250);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var delay = FirstDelay;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                }
                catch (HttpRequestException e) when (attempt <= MaxRetries && e.HttpRequestError == HttpRequestError.ConnectionError && !cancellationToken.IsCancellationRequested)
                {
                    log(LogLevel.Debug, $"Forwarding to the worker failed to connect (try {attempt}): {e.Message}");
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
                }
            }
        }
    }
}
