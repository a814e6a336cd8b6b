using System.Globalization;
using System.Runtime.InteropServices;
using JwtFunctions.FunctionsHost;
using Microsoft.Extensions.Logging;

/// <summary>The local host, in-process, with a chosen log level; serves until SIGTERM or Ctrl-C.</summary>
internal static class Serve
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? app = null;
        var port = 0;
        var level = LogLevel.Warning;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--app": app = args[++i]; break;
                case "--port": port = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--log-level": level = Enum.Parse<LogLevel>(args[++i]); break;
                case "--settings": environment["__settings"] = args[++i]; break;
                case "--env":
                    var pair = args[++i].Split('=', 2);
                    environment[pair[0]] = pair[1];
                    break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }

        environment.Remove("__settings", out var settings);
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        await using var host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
        {
            AppDirectory = app ?? throw new ArgumentException("--app DIR is required"),
            Port = port,
            Environment = environment,
            LocalSettingsPath = settings,
            MinimumLogLevel = level,
            LogSink = Console.WriteLine,
        }, stop.Token);
        Console.WriteLine($"Serving on {host.BaseAddress} (log level {level}).");
        try
        {
            await Task.WhenAny(Task.Delay(Timeout.Infinite, stop.Token), host.WorkerExited);
        }
        catch (OperationCanceledException)
        {
        }

        return 0;
    }
}
