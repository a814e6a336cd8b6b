using System.Diagnostics;
using System.Runtime.InteropServices;
using JwtFunctions.FunctionsHost;
using Microsoft.Extensions.Logging;

// Command line: JwtFunctions.FunctionsHost [--app DIR] [--port N] [--settings FILE]
//                                          [--env KEY=VALUE]... [--verbose] [--measure-startup PATH]
const string Usage = """
    Local Azure Functions host for the JwtFunctions worker (tests and development; `func start`
    remains the primary way to run the app locally).

    Usage: JwtFunctions.FunctionsHost [options]
      --app DIR               built app folder with worker.config.json (default: current folder)
      --port N                loopback HTTP port (default: local.settings.json Host.LocalHttpPort, else 7071; 0 = any free port)
      --settings FILE         local.settings.json to use (default: the one in the app folder)
      --env KEY=VALUE         extra environment variable for the worker (repeatable)
      --verbose               also show debug-level host and worker logs
      --measure-startup PATH  GET PATH until it answers 200, print the time since the worker
                              process started, then stop (exit code 0 on success)
      -h, --help              show this text
    """;

string? appDirectory = null;
int? port = null;
string? settingsPath = null;
string? measurePath = null;
var verbose = false;
var environment = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--app":
            appDirectory = Value();
            break;
        case "--port" or "-p":
            port = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--settings":
            settingsPath = Value();
            break;
        case "--env":
            var pair = Value();
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                Console.Error.WriteLine($"--env expects KEY=VALUE, got '{pair}'.");
                return 2;
            }

            environment[pair[..separator]] = pair[(separator + 1)..];
            break;
        case "--verbose":
            verbose = true;
            break;
        case "--measure-startup":
            measurePath = Value();
            break;
        case "-h" or "--help":
            Console.WriteLine(Usage);
            return 0;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'.{Environment.NewLine}{Usage}");
            return 2;
    }
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

using var console = new ConsoleLineWriter();
void Write(string line) => console.WriteLine(line);

LocalFunctionsHost host;
try
{
    host = await LocalFunctionsHost.StartAsync(
        new LocalFunctionsHostOptions
        {
            AppDirectory = appDirectory ?? Directory.GetCurrentDirectory(),
            Port = port,
            Environment = environment,
            LocalSettingsPath = settingsPath,
            LogSink = Write,
            MinimumLogLevel = verbose ? LogLevel.Debug : LogLevel.Information,
        },
        stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    return 130;
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
{
    console.WriteErrorLine($"The local Functions host could not start: {e.Message}");
    return 1;
}

await using (host)
{
    var display = $"http://localhost:{host.BaseAddress.Port}";
    Write(string.Empty);
    Write("Functions:");
    foreach (var function in host.Functions.OrderBy(f => f.Name, StringComparer.Ordinal))
    {
        var methods = function.Methods is null ? "ALL" : string.Join(',', function.Methods);
        var path = host.RoutePrefix.Length == 0 ? function.RouteTemplate : $"{host.RoutePrefix}/{function.RouteTemplate}";
        Write($"        {function.Name}: [{methods}] {display}/{path}");
    }

    Write(string.Empty);
    if (measurePath is not null)
    {
        using var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            using var response = await client.GetAsync(measurePath.TrimStart('/'), stop.Token);
            if (response.IsSuccessStatusCode)
            {
                var elapsed = Stopwatch.GetElapsedTime(host.WorkerStartTimestamp);
                Write($"STARTUP worker process start -> first 200 from {measurePath}: {elapsed.TotalMilliseconds:0} ms (functions loaded after {host.StartupDuration.TotalMilliseconds:0} ms)");
                return 0;
            }

            await Task.Delay(50, stop.Token);
        }

        console.WriteErrorLine($"{measurePath} did not answer 200 within 60 s.");
        return 1;
    }

    Write($"Serving on {display} (Ctrl-C to stop).");
    var stopped = new TaskCompletionSource();
    using var registration = stop.Token.Register(() => stopped.TrySetResult());
    if (await Task.WhenAny(stopped.Task, host.WorkerExited) == host.WorkerExited && !stop.IsCancellationRequested)
    {
        console.WriteErrorLine("The worker exited; stopping the host.");
        return 1;
    }

    Write("Stopping...");
}

return 0;
