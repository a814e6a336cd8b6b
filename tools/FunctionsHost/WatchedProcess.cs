using System.Diagnostics;

namespace JwtFunctions.FunctionsHost;

/// <summary>
/// Starts a child process (the language worker; Azurite in the end-to-end tests) under a tiny bash
/// watchdog and stops it again.
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
public sealed class WatchedProcess : IAsyncDisposable
{
    private const string ChildPidMarker = "__watchdog_child_pid=";

    // Shipped next to the host's assembly (see watchdog.sh for how it works).
    private static readonly string WatchdogScriptPath = Path.Combine(AppContext.BaseDirectory, "watchdog.sh");

    private readonly Process _process;
    private readonly Action<string> _output;
    private readonly TaskCompletionSource<int> _childPid = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WatchedProcess(Process process, Action<string> output)
    {
        _process = process;
        _output = output;
    }

    /// <summary>Stopwatch timestamp taken just before the process was started.</summary>
    public long StartTimestamp { get; private init; }

    /// <summary>Process id of the watchdog (the child's parent).</summary>
    public int WatchdogProcessId => _process.Id;

    /// <summary>Process id of the child itself, once the watchdog has reported it.</summary>
    public int? ChildProcessId => _childPid.Task.IsCompletedSuccessfully ? _childPid.Task.Result : null;

    /// <summary>Completes when the watchdog (and with it the child) has exited.</summary>
    public Task Exited { get; private set; } = Task.CompletedTask;

    /// <summary>Starts <paramref name="executable"/> with <paramref name="arguments"/> under the watchdog.</summary>
    /// <param name="output">Receives each line the child writes to stdout or stderr.</param>
    public static WatchedProcess Start(
        string executable,
        IEnumerable<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string>? environment,
        Action<string> output)
    {
        if (!File.Exists(WatchdogScriptPath))
        {
            throw new InvalidOperationException($"{WatchdogScriptPath} is missing; it ships with JwtFunctions.FunctionsHost.");
        }

        var startInfo = new ProcessStartInfo("/bin/bash")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(WatchdogScriptPath);
        startInfo.ArgumentList.Add(executable);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var worker = new WatchedProcess(process, output) { StartTimestamp = Stopwatch.GetTimestamp() };
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

            if (e.Data.StartsWith(ChildPidMarker, StringComparison.Ordinal)
                && int.TryParse(e.Data.AsSpan(ChildPidMarker.Length), out var pid))
            {
                worker._childPid.TrySetResult(pid);
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

    /// <summary>Closes the watchdog's stdin (it then stops the child) and waits; kills the tree if needed.</summary>
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
            _output($"Process did not stop within {timeout.TotalSeconds:0} s; killing its process tree.");
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

        // If the watchdog was killed from outside, the child has been re-parented and is no
        // longer part of the tree above: kill it by its id.
        if (ChildProcessId is int pid)
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
