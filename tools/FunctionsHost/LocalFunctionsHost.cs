using System.Diagnostics;
using System.Net;
using Google.Protobuf.WellKnownTypes;
using JwtFunctions.FunctionsHost.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace JwtFunctions.FunctionsHost;

/// <summary>Options for <see cref="LocalFunctionsHost.StartAsync(LocalFunctionsHostOptions, CancellationToken)"/>.</summary>
public sealed class LocalFunctionsHostOptions
{
    /// <summary>The app's build or publish output (holds worker.config.json, functions.metadata, host.json).</summary>
    public required string AppDirectory { get; init; }

    /// <summary>Loopback port of the HTTP front door; 0 picks a free one; null means local.settings.json's Host.LocalHttpPort or 7071.</summary>
    public int? Port { get; init; }

    /// <summary>Extra environment variables for the worker; they override local.settings.json.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Where host, worker console and worker RpcLog lines go (default: the console).</summary>
    public Action<string>? LogSink { get; init; }

    /// <summary>local.settings.json to use instead of the one in the app folder.</summary>
    public string? LocalSettingsPath { get; init; }

    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Information;

    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Largest total size of the request headers the front door accepts; larger requests get
    /// Kestrel's bare 431 and never reach the worker. Null keeps Kestrel's default (32 KiB), which
    /// is what the Azure Functions host itself keeps: it only raises the body limit (to 100 MB).
    /// In Azure the App Service front ends also cap the request headers at 64 KB in total.
    /// Tests that want the app, not the server, to answer an oversized header raise it.
    /// </summary>
    public int? MaxRequestHeadersTotalSize { get; init; }

    /// <summary>
    /// Comma-separated CORS origins, as <c>func start --cors</c>; overrides local.settings.json
    /// <c>Host.CORS</c>. Without either, <c>CORS_ALLOWED_ORIGINS</c> (JSON array, as on Flex
    /// Consumption) applies.
    /// </summary>
    public string? Cors { get; init; }

    /// <summary>As <c>func start --cors-credentials</c>; overrides local.settings.json <c>Host.CORSCredentials</c>.</summary>
    public bool? CorsCredentials { get; init; }
}

/// <summary>
/// A small stand-in for the Azure Functions host, for tests and local development: it starts the
/// built dotnet-isolated worker, speaks the Functions gRPC protocol to it (start stream, init,
/// worker indexing, function load, invocations, terminate) and serves the HTTP-triggered
/// functions on a loopback HTTP front door.
/// </summary>
public sealed class LocalFunctionsHost : IAsyncDisposable
{
    public const int DefaultPort = 7071;
    private const string HostVersion = "4.0.0-jwtfunctions-local";

    private readonly Action<LogLevel, string> _log;
    private readonly WebApplication _grpcServer;
    private readonly WorkerChannel _channel;
    private readonly WatchedProcess _worker;
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _frontDoor;
    private HttpForwarding? _forwarding;
    private TimerTriggers? _timers;
    private int _disposed;

    private LocalFunctionsHost(Action<LogLevel, string> log, WebApplication grpcServer, WorkerChannel channel, WatchedProcess worker)
    {
        _log = log;
        _grpcServer = grpcServer;
        _channel = channel;
        _worker = worker;
        WorkerExited = Task.WhenAny(worker.Exited, channel.Disconnected);
    }

    /// <summary>Base address of the HTTP front door, e.g. http://127.0.0.1:7071/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The HTTP-triggered functions and their routes.</summary>
    public IReadOnlyList<HttpFunctionInfo> Functions { get; private set; } = [];

    /// <summary>The timer-triggered functions and their schedules.</summary>
    public IReadOnlyList<TimerFunctionInfo> TimerFunctions { get; private set; } = [];

    public string RoutePrefix { get; private set; } = "api";

    /// <summary>Homepage, request body limit and CORS, as read from the app settings.</summary>
    public HostHttpSettings HttpSettings { get; private set; } = new();

    /// <summary>
    /// The worker's own HTTP server when it advertised <c>HttpUri</c> (ASP.NET Core integration) and
    /// requests are proxied to it; null when requests travel inside the invocation (RpcHttp).
    /// </summary>
    public Uri? WorkerHttpUri { get; private set; }

    /// <summary>Process id of the worker (dotnet JwtFunctions.dll).</summary>
    public int? WorkerProcessId => _worker.ChildProcessId;

    /// <summary>Process id of the watchdog that parents the worker.</summary>
    public int WatchdogProcessId => _worker.WatchdogProcessId;

    /// <summary>Stopwatch timestamp taken when the worker process was started.</summary>
    public long WorkerStartTimestamp => _worker.StartTimestamp;

    /// <summary>Worker process start to all functions loaded.</summary>
    public TimeSpan StartupDuration { get; private set; }

    /// <summary>Completes when the worker exits or drops its stream while the host is running.</summary>
    public Task WorkerExited { get; }

    public static Task<LocalFunctionsHost> StartAsync(
        string appDirectory,
        int? port = DefaultPort,
        IReadOnlyDictionary<string, string>? environment = null,
        Action<string>? logSink = null,
        CancellationToken cancellationToken = default)
        => StartAsync(new LocalFunctionsHostOptions { AppDirectory = appDirectory, Port = port, Environment = environment, LogSink = logSink }, cancellationToken);

    public static async Task<LocalFunctionsHost> StartAsync(LocalFunctionsHostOptions options, CancellationToken cancellationToken = default)
    {
        var sink = options.LogSink ?? Console.WriteLine;
        var minimum = options.MinimumLogLevel;
        void Log(LogLevel level, string message)
        {
            if (level >= minimum && level != LogLevel.None)
            {
                sink(level >= LogLevel.Warning ? $"{LevelTag(level)}: {message}" : message);
            }
        }

        var app = FunctionAppSettings.Load(options.AppDirectory, options.LocalSettingsPath);
        // Read before the worker starts: settings the real host cannot start with fail here.
        var httpSettings = ResolveHttpSettings(app, options);
        var workerId = Guid.NewGuid().ToString();
        var channel = new WorkerChannel(workerId, Log, minimum);

        var grpcServer = BuildGrpcServer(channel, Log);
        await grpcServer.StartAsync(cancellationToken).ConfigureAwait(false);
        var grpcAddress = new Uri(ListeningAddress(grpcServer));

        WatchedProcess? worker = null;
        LocalFunctionsHost? host = null;
        try
        {
            var environment = BuildWorkerEnvironment(app, options.Environment, grpcAddress);
            string[] arguments =
            [
                "--functions-uri", grpcAddress.AbsoluteUri,
                "--functions-worker-id", workerId,
                "--functions-request-id", Guid.NewGuid().ToString(),
                "--functions-grpc-max-message-length", int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ];
            Log(LogLevel.Information, $"Starting worker: {app.WorkerExecutable} {string.Join(' ', app.WorkerArguments)} (in {app.AppDirectory})");
            worker = WatchedProcess.Start(app.WorkerExecutable, app.WorkerArguments.Concat(arguments), app.AppDirectory, environment, line => Log(LogLevel.Information, "[worker] " + line));
            host = new LocalFunctionsHost(Log, grpcServer, channel, worker);

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.StartupTimeout);
            await host.InitializeWorkerAsync(app, options, httpSettings, timeout.Token).ConfigureAwait(false);
            return host;
        }
        catch
        {
            if (host is not null)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                if (worker is not null)
                {
                    await worker.DisposeAsync().ConfigureAwait(false);
                }

                await grpcServer.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    private async Task InitializeWorkerAsync(FunctionAppSettings app, LocalFunctionsHostOptions options, HostHttpSettings httpSettings, CancellationToken cancellation)
    {
        // 1. The worker connects and sends StartStream.
        await WaitForWorkerAsync(_channel.Connected, "connect (StartStream)", cancellation).ConfigureAwait(false);

        // 2. Init: the worker answers with its capabilities.
        var initRequest = new WorkerInitRequest
        {
            HostVersion = HostVersion,
            WorkerDirectory = app.AppDirectory,
            FunctionAppDirectory = app.AppDirectory,
        };
        var initResponse = (await WaitForWorkerAsync(
            _channel.RequestAsync(new StreamingMessage { WorkerInitRequest = initRequest }, cancellation), "answer WorkerInitRequest", cancellation).ConfigureAwait(false)).WorkerInitResponse
            ?? throw new InvalidOperationException("The worker answered WorkerInitRequest with something else.");
        EnsureSuccess(initResponse.Result, "Worker initialization");
        var capabilities = WorkerCapabilities.From(initResponse.Capabilities);
        if (!capabilities.RawHttpBodyBytes || !capabilities.RpcHttpBodyOnly)
        {
            _log(LogLevel.Warning, "The worker does not advertise RawHttpBodyBytes/RpcHttpBodyOnly; request bodies are still sent as bytes.");
        }

        _log(LogLevel.Debug, $"Worker capabilities: {string.Join(", ", initResponse.Capabilities.Keys)}");

        // 3. Worker indexing: the worker lists its functions (raw bindings as JSON).
        var metadataResponse = (await WaitForWorkerAsync(
            _channel.RequestAsync(new StreamingMessage { FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = app.AppDirectory } }, cancellation),
            "answer FunctionsMetadataRequest", cancellation).ConfigureAwait(false)).FunctionMetadataResponse
            ?? throw new InvalidOperationException("The worker answered FunctionsMetadataRequest with something else.");
        EnsureSuccess(metadataResponse.Result, "Function indexing");
        IReadOnlyList<RpcFunctionMetadata> indexed = metadataResponse.UseDefaultMetadataIndexing
            ? FunctionIndex.ReadFunctionsMetadataFile(app.AppDirectory)
            : metadataResponse.FunctionMetadataResults;

        // 4. One load request per function; the bindings map is built from raw_bindings.
        var loads = new List<(FunctionLoadRequest Request, Task<StreamingMessage> Response)>();
        foreach (var function in indexed)
        {
            if (function.Status is { Status: StatusResult.Types.Status.Failure } failedIndexing)
            {
                _log(LogLevel.Error, $"Function '{function.Name}' failed indexing: {failedIndexing.Exception?.Message}");
                continue;
            }

            var load = FunctionIndex.CreateLoadRequest(function, app.AppDirectory);
            loads.Add((load, _channel.RequestAsync(new StreamingMessage { FunctionLoadRequest = load }, cancellation)));
        }

        var functions = new List<HttpFunctionInfo>();
        var timers = new List<TimerFunctionInfo>();
        foreach (var (request, responseTask) in loads)
        {
            var response = (await WaitForWorkerAsync(responseTask, "answer FunctionLoadRequest", cancellation).ConfigureAwait(false)).FunctionLoadResponse;
            if (response?.Result?.Status != StatusResult.Types.Status.Success)
            {
                _log(LogLevel.Error, $"Function '{request.Metadata.Name}' failed to load: {response?.Result?.Exception?.Message}");
                continue;
            }

            if (FunctionIndex.GetHttpFunction(request.Metadata) is { } http)
            {
                functions.Add(http);
            }
            else if (TryGetTimerFunction(request.Metadata, app, options) is { } timer)
            {
                timers.Add(timer);
            }
            else if (!string.Equals(FunctionIndex.GetTriggerType(request.Metadata), "timerTrigger", StringComparison.OrdinalIgnoreCase))
            {
                _log(LogLevel.Warning, $"Function '{request.Metadata.Name}' has a '{FunctionIndex.GetTriggerType(request.Metadata)}' trigger, which this local host does not run; only HTTP and timer triggers are run.");
            }
        }

        StartupDuration = Stopwatch.GetElapsedTime(_worker.StartTimestamp);
        Functions = functions;
        RoutePrefix = app.RoutePrefix;
        HttpSettings = httpSettings;

        // 5. The HTTP front door, routed from the loaded functions.
        var port = options.Port ?? app.LocalHttpPort ?? DefaultPort;
        _frontDoor = BuildFrontDoor(port, options.MaxRequestHeadersTotalSize, _log);
        if (capabilities.HttpUri is { } workerHttpUri)
        {
            WorkerHttpUri = workerHttpUri;
            _forwarding = new HttpForwarding(_frontDoor.Services.GetRequiredService<IHttpForwarder>(), workerHttpUri, _log);
            _log(LogLevel.Information, $"The worker serves HTTP itself (ASP.NET Core integration): requests are proxied to {workerHttpUri}.");
        }

        var invoker = new HttpInvoker(_channel, capabilities, _forwarding, _log);
        HostPipeline.Configure(_frontDoor, httpSettings, app.RoutePrefix, functions, invoker, _log);
        if (httpSettings.Cors is not null)
        {
            _log(LogLevel.Information, $"CORS from {httpSettings.CorsSource}: origins {string.Join(", ", httpSettings.Cors.Origins)}{(httpSettings.Cors.SupportsCredentials ? ", with credentials" : string.Empty)}.");
        }
        await _frontDoor.StartAsync(cancellation).ConfigureAwait(false);
        var address = new Uri(ListeningAddress(_frontDoor));
        BaseAddress = new Uri($"http://127.0.0.1:{address.Port}/");
        // 6. Timers start once the host is listening, as the Functions host starts its listeners.
        TimerFunctions = timers;
        _timers = new TimerTriggers(_channel, _log);
        _timers.Start(timers);
        _log(LogLevel.Information, $"Worker ready in {StartupDuration.TotalMilliseconds:0} ms (process start to functions loaded; worker pid {WorkerProcessId}, watchdog pid {WatchdogProcessId}); listening on {BaseAddress}");
    }

    /// <summary>
    /// The timer function of <paramref name="metadata"/>, or null. A schedule that does not
    /// resolve or parse fails that function only (logged), as a binding error does in the host.
    /// </summary>
    private TimerFunctionInfo? TryGetTimerFunction(RpcFunctionMetadata metadata, FunctionAppSettings app, LocalFunctionsHostOptions options)
    {
        try
        {
            return TimerTriggers.GetTimerFunction(metadata, name => AppSetting(app, options, name));
        }
        catch (FormatException e)
        {
            _log(LogLevel.Error, $"The '{metadata.Name}' function is in error: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// An app setting as the host's configuration has it: the caller's variables, then
    /// local.settings.json Values, then this process's environment; names are case-insensitive
    /// and <c>:</c> is <c>__</c> (Section:Key is the setting Section__Key).
    /// </summary>
    private static string? AppSetting(FunctionAppSettings app, LocalFunctionsHostOptions options, string name)
    {
        foreach (var candidate in new[] { name, name.Replace(":", "__", StringComparison.Ordinal) })
        {
            var value = Find(options.Environment, candidate) ?? Find(app.LocalSettingsValues, candidate) ?? System.Environment.GetEnvironmentVariable(candidate);
            if (value is not null)
            {
                return value;
            }
        }

        return null;

        static string? Find(IEnumerable<KeyValuePair<string, string>>? settings, string key) =>
            settings?.FirstOrDefault(pair => string.Equals(pair.Key, key, StringComparison.OrdinalIgnoreCase)).Value;
    }

    private async Task<T> WaitForWorkerAsync<T>(Task<T> step, string what, CancellationToken cancellation)
    {
        await WaitForWorkerAsync((Task)step, what, cancellation).ConfigureAwait(false);
        return await step.ConfigureAwait(false);
    }

    private async Task WaitForWorkerAsync(Task step, string what, CancellationToken cancellation)
    {
        var finished = await Task.WhenAny(step, _worker.Exited, Task.Delay(Timeout.Infinite, cancellation)).ConfigureAwait(false);
        if (finished == step)
        {
            await step.ConfigureAwait(false);
            return;
        }

        if (finished == _worker.Exited)
        {
            throw new InvalidOperationException($"The worker process exited before it could {what}; see its output above.");
        }

        throw new TimeoutException($"The worker did not {what} in time.");
    }

    private static void EnsureSuccess(StatusResult? result, string what)
    {
        if (result?.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"{what} failed: {result?.Exception?.Message ?? result?.Result ?? "no result"}");
        }
    }

    private static Dictionary<string, string> BuildWorkerEnvironment(FunctionAppSettings app, IReadOnlyDictionary<string, string>? extra, Uri grpcAddress)
    {
        // Like func start: the process environment, then local.settings.json Values, then the
        // caller's overrides, then what the Functions host always sets for an isolated worker.
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in app.LocalSettingsValues)
        {
            environment[key] = value;
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        environment.TryAdd("FUNCTIONS_WORKER_RUNTIME", "dotnet-isolated");
        environment.TryAdd("AZURE_FUNCTIONS_ENVIRONMENT", "Development");
        environment["FUNCTIONS_APPLICATION_DIRECTORY"] = app.AppDirectory;
        environment["FUNCTIONS_WORKER_DIRECTORY"] = app.AppDirectory;
        environment["Functions__Worker__HostEndpoint"] = grpcAddress.AbsoluteUri;
        return environment;
    }

    private static WebApplication BuildGrpcServer(WorkerChannel channel, Action<LogLevel, string> log)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.AddProvider(new SinkLoggerProvider(log, LogLevel.Warning));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Plain HTTP/2 (no TLS) on loopback, as the worker's gRPC client expects.
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(channel);
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
        });
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        return app;
    }

    private static HostHttpSettings ResolveHttpSettings(FunctionAppSettings app, LocalFunctionsHostOptions options)
    {
        // The caller's variables, then local.settings.json Values, then this process's environment:
        // the same precedence as the worker's environment.
        string? Setting(string name) =>
            options.Environment?.TryGetValue(name, out var value) == true ? value
            : app.LocalSettingsValues.TryGetValue(name, out value) ? value
            : System.Environment.GetEnvironmentVariable(name);

        return HostHttpSettings.Resolve(Setting, options.Cors ?? app.HostCors, options.CorsCredentials ?? app.HostCorsCredentials);
    }

    private static WebApplication BuildFrontDoor(int port, int? maxRequestHeadersTotalSize, Action<LogLevel, string> log)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.AddProvider(new SinkLoggerProvider(log, LogLevel.Warning));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 100 * 1024 * 1024; // the Functions host's limit
            if (maxRequestHeadersTotalSize is { } headersLimit)
            {
                kestrel.Limits.MaxRequestHeadersTotalSize = headersLimit;
            }
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddCors();
        builder.Services.AddHttpForwarder();
        return builder.Build();
    }

    private static string ListeningAddress(WebApplication app)
        => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    private static string LevelTag(LogLevel level) => level switch
    {
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => level.ToString().ToLowerInvariant(),
    };

    /// <summary>Stops the front door, asks the worker to terminate, and makes sure it is gone.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stopping.Cancel();
        using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        if (_frontDoor is not null)
        {
            await StopQuietlyAsync(_frontDoor, stopTimeout.Token).ConfigureAwait(false);
        }

        if (_timers is not null)
        {
            await _timers.DisposeAsync().ConfigureAwait(false);
        }

        // WorkerTerminate lets the worker shut down by itself; then its stream ends.
        try
        {
            _channel.Send(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } });
            await Task.WhenAny(_channel.Disconnected, _worker.Exited, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        }
        catch (WorkerUnavailableException)
        {
        }

        _channel.CompleteOutbound();
        _forwarding?.Dispose();
        await _worker.DisposeAsync().ConfigureAwait(false);
        await StopQuietlyAsync(_grpcServer, stopTimeout.Token).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task StopQuietlyAsync(WebApplication app, CancellationToken cancellation)
    {
        try
        {
            await app.StopAsync(cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }
        catch (Exception e)
        {
            _log(LogLevel.Warning, $"Stopping a server failed: {e.Message}");
        }

        await app.DisposeAsync().ConfigureAwait(false);
    }
}
