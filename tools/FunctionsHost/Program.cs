using System.CommandLine;
using System.CommandLine.Help;
using System.Diagnostics;
using System.Runtime.InteropServices;
using JwtFunctions.FunctionsHost;
using Microsoft.Extensions.Logging;

// Command line (System.CommandLine): see --help. A bad argument prints the parser's message and
// exits with 2, as the usual shell convention for usage errors.
var appOption = new Option<DirectoryInfo>("--app") { Description = "built app folder with worker.config.json (default: current folder)" };
var portOption = new Option<int?>("--port", "-p") { Description = "loopback HTTP port (default: local.settings.json Host.LocalHttpPort, else 7071; 0 = any free port)" };
portOption.Validators.Add(result =>
{
    // A value that is not a number is reported by the parser itself.
    if (result.Tokens is [{ } token] && int.TryParse(token.Value, out var value) && value is < 0 or > 65535)
    {
        result.AddError("--port must be between 0 and 65535.");
    }
});
var settingsOption = new Option<FileInfo>("--settings") { Description = "local.settings.json to use (default: the one in the app folder)" };
var envOption = new Option<string[]>("--env")
{
    Description = "extra environment variable for the worker, KEY=VALUE (repeatable)",
    AllowMultipleArgumentsPerToken = false,
};
envOption.Validators.Add(result =>
{
    foreach (var pair in result.GetValueOrDefault<string[]>() ?? [])
    {
        if (pair.IndexOf('=', StringComparison.Ordinal) <= 0)
        {
            result.AddError($"--env expects KEY=VALUE, got '{pair}'.");
        }
    }
});
var verboseOption = new Option<bool>("--verbose") { Description = "also show debug-level host and worker logs" };
var measureOption = new Option<string>("--measure-startup")
{
    Description = "GET this path until it answers 200, print the time since the worker process started, then stop (exit code 0 on success)",
};
var corsOption = new Option<string>("--cors")
{
    Description = "comma-separated CORS origins, as `func start --cors` (default: local.settings.json Host.CORS, else CORS_ALLOWED_ORIGINS)",
};
var corsCredentialsOption = new Option<bool>("--cors-credentials")
{
    Description = "allow credentialed CORS requests, as `func start --cors-credentials` (default: local.settings.json Host.CORSCredentials)",
};
var command = new RootCommand("""
    Local Azure Functions host for the JwtFunctions worker (tests and development; `func start`
    remains the primary way to run the app locally).
    """)
{
    appOption, portOption, settingsOption, envOption, verboseOption, measureOption, corsOption, corsCredentialsOption,
};
var parsed = command.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine(error.Message);
    }

    Console.Error.WriteLine("Try --help.");
    return 2;
}

if (parsed.Action is HelpAction)
{
    return await parsed.InvokeAsync();
}

var appDirectory = parsed.GetValue(appOption)?.FullName;
var port = parsed.GetValue(portOption);
var settingsPath = parsed.GetValue(settingsOption)?.FullName;
var measurePath = parsed.GetValue(measureOption);
var verbose = parsed.GetValue(verboseOption);
var cors = parsed.GetValue(corsOption);
// Given: true; absent: local.settings.json Host.CORSCredentials decides.
bool? corsCredentials = parsed.GetValue(corsCredentialsOption) ? true : null;
var environment = new Dictionary<string, string>(StringComparer.Ordinal);
foreach (var pair in parsed.GetValue(envOption) ?? [])
{
    var separator = pair.IndexOf('=', StringComparison.Ordinal);
    environment[pair[..separator]] = pair[(separator + 1)..];
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
            Cors = cors,
            CorsCredentials = corsCredentials,
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
