using System.Diagnostics;

namespace JwtFunctions.FunctionsHost;

/// <summary>
/// Starts the language worker under a tiny bash watchdog and stops it again.
/// </summary>
/// <remarks>
/// The worker (a plain <c>dotnet JwtFunctions.dll</c>) does not exit when the host's gRPC stream
/// goes away, so a host that dies abruptly (test runner killed, SIGKILL) would leave it behind.
/// The watchdog closes that gap without prctl: it starts the worker in the background and then
/// blocks reading its own stdin, which is a pipe whose only writer is this host process. The
/// host never writes to it; when the host closes it (orderly stop) or the kernel closes it
/// (the host died in any way), the read sees end-of-file and the watchdog terminates the worker
/// (SIGTERM, then SIGKILL after 5 s) before it exits itself. On an orderly stop the host also
/// kills the whole process tree as a backstop.
/// </remarks>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private const string WorkerPidMarker = "__jwtfunctions_worker_pid=";

    // Shipped next to the host's assembly (see worker-watchdog.sh for how it works).
    private static readonly string WatchdogScriptPath = Path.Combine(AppContext.BaseDirectory, "worker-watchdog.sh");

    private readonly Process _process;
    private readonly Action<string> _output;
    private readonly TaskCompletionSource<int> _workerPid = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process, Action<string> output)
    {
        _process = process;
        _output = output;
    }

    /// <summary>Stopwatch timestamp taken just before the worker process was started.</summary>
    public long StartTimestamp { get; private init; }

    /// <summary>Process id of the watchdog (the worker's parent).</summary>
    public int WatchdogProcessId => _process.Id;

    /// <summary>Process id of the worker itself, once the watchdog has reported it.</summary>
    public int? WorkerProcessId => _workerPid.Task.IsCompletedSuccessfully ? _workerPid.Task.Result : null;

    public Task<int> WorkerProcessIdTask => _workerPid.Task;

    /// <summary>Completes when the watchdog (and with it the worker) has exited.</summary>
    public Task Exited { get; private set; } = Task.CompletedTask;

    public static WorkerProcess Start(
        FunctionAppSettings app,
        IReadOnlyList<string> extraArguments,
        IReadOnlyDictionary<string, string> environment,
        Action<string> output)
    {
        if (!File.Exists(WatchdogScriptPath))
        {
            throw new InvalidOperationException($"{WatchdogScriptPath} is missing; it ships with JwtFunctions.FunctionsHost.");
        }

        var startInfo = new ProcessStartInfo("/bin/bash")
        {
            WorkingDirectory = app.AppDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(WatchdogScriptPath);
        startInfo.ArgumentList.Add(app.WorkerExecutable);
        foreach (var argument in app.WorkerArguments.Concat(extraArguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process, output) { StartTimestamp = Stopwatch.GetTimestamp() };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                worker._output(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            if (e.Data.StartsWith(WorkerPidMarker, StringComparison.Ordinal)
                && int.TryParse(e.Data.AsSpan(WorkerPidMarker.Length), out var pid))
            {
                worker._workerPid.TrySetResult(pid);
                return;
            }

            worker._output(e.Data);
        };

        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        worker.Exited = process.WaitForExitAsync();
        return worker;
    }

    /// <summary>Closes the watchdog's stdin (it then stops the worker) and waits; kills the tree if needed.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // Already gone.
        }

        try
        {
            await Exited.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _output($"Worker did not stop within {timeout.TotalSeconds:0} s; killing its process tree.");
        }

        KillEverything();
    }

    private void KillEverything()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }

        // If the watchdog was killed from outside, the worker has been re-parented and is no
        // longer part of the tree above: kill it by its id.
        if (WorkerProcessId is int pid)
        {
            try
            {
                using var worker = Process.GetProcessById(pid);
                if (!worker.HasExited)
                {
                    worker.Kill(entireProcessTree: true);
                }
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Not running (the usual case).
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _process.Dispose();
    }
}
