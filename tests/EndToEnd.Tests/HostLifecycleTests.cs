using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using JwtFunctions.FunctionsHost;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// The host leaves no process behind: neither when it is disposed nor when it is killed outright
/// (the watchdog then stops the worker). Runs its own hosts, without Azurite (start-up does not
/// touch storage; /api/v1.0/protected answers 401 without it).
/// </summary>
public sealed partial class HostLifecycleTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestLog _log = new();
    private readonly List<int> _started = [];

    private static Dictionary<string, string> Environment() => new()
    {
        ["AzureWebJobsStorage"] = Azurite.ConnectionStringFor(tablePort: 9),
        ["SigningKeys__LocalKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = string.Empty,
    };

    [Theory]
    [InlineData("--port abc", "Cannot parse argument 'abc' for option '--port'")]
    [InlineData("--port 70000", "--port must be between 0 and 65535.")]
    [InlineData("--env NOEQUALS", "--env expects KEY=VALUE, got 'NOEQUALS'.")]
    [InlineData("--no-such-option", "Unrecognized command or argument '--no-such-option'")]
    public async Task ABadCommandLineArgumentExitsWith2AndSaysWhy(string arguments, string message)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "JwtFunctions.FunctionsHost.dll"));
        foreach (var argument in arguments.Split(' '))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisposingTheHostStopsTheWorkerAndItsWatchdog()
    {
        _log.Attach(output);
        var appDirectory = await AppBuild.GetAppDirectoryAsync();
        var host = await LocalFunctionsHost.StartAsync(appDirectory, port: 0, Environment(), _log.Write);
        int worker, watchdog;
        await using (host)
        {
            worker = host.WorkerProcessId ?? throw new InvalidOperationException("no worker pid");
            watchdog = host.WatchdogProcessId;
            _started.AddRange([worker, watchdog]);
            Assert.True(IsRunning(worker));

            using var client = new HttpClient { BaseAddress = host.BaseAddress };
            using var response = await client.GetAsync("api/v1.0/protected");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.False(IsRunning(worker), $"worker {worker} still running after dispose");
        Assert.False(IsRunning(watchdog), $"watchdog {watchdog} still running after dispose");
    }

    [Fact]
    public async Task KillingTheHostProcessOutrightStillStopsTheWorker()
    {
        _log.Attach(output);
        var appDirectory = await AppBuild.GetAppDirectoryAsync();
        var hostDll = Path.Combine(AppContext.BaseDirectory, "JwtFunctions.FunctionsHost.dll");
        var startInfo = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { hostDll, "--app", appDirectory, "--port", "0" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in Environment())
        {
            startInfo.ArgumentList.Add("--env");
            startInfo.ArgumentList.Add($"{key}={value}");
        }

        using var host = Process.Start(startInfo)!;
        _started.Add(host.Id);
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            _log.Write("[cli] " + e.Data);
            if (WorkerPid().Match(e.Data) is { Success: true } match)
            {
                ready.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        host.ErrorDataReceived += (_, e) => _log.Write("[cli] " + e.Data);
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();

        var worker = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        _started.Add(worker);
        Assert.True(IsRunning(worker));

        host.Kill(entireProcessTree: false); // SIGKILL to the host alone: no chance to clean up
        await host.WaitForExitAsync();

        var deadline = Stopwatch.StartNew();
        while (IsRunning(worker) && deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
        }

        Assert.False(IsRunning(worker), $"worker {worker} outlived its killed host by {deadline.Elapsed.TotalSeconds:0} s");
        output.WriteLine($"worker {worker} gone {deadline.ElapsedMilliseconds} ms after the host was killed");
    }

    private static bool IsRunning(int pid)
    {
        // A zombie (exited, not yet reaped by its parent) counts as gone.
        var stat = $"/proc/{pid}/stat";
        try
        {
            var text = File.ReadAllText(stat);
            var state = text[(text.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z";
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"worker pid (\d+)")]
    private static partial Regex WorkerPid();

    public void Dispose()
    {
        // Whatever happened above, nothing this test started survives it.
        foreach (var pid in _started.Where(IsRunning))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
            }
        }

        _log.Attach(null);
    }
}
