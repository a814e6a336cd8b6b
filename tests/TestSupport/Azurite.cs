using System.Globalization;
using System.Net;
using System.Net.Sockets;
using JwtFunctions.FunctionsHost;

namespace JwtFunctions.TestSupport;

/// <summary>
/// Azurite's Table service from the repository's npm devDependency, on a free loopback port, under
/// the same watchdog as the worker (so it dies with the test run whatever happens). In memory by
/// default; <c>persistent: true</c> keeps the tables in a private temporary folder
/// (<c>--location</c>) instead, so <see cref="StopAsync"/> and <see cref="StartAgainAsync"/> can take
/// storage away mid-test and bring it back, with its data, on the same port.
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    // The well-known, public Azurite development account key.
    private const string DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _executable;
    private readonly string _workspace;
    private readonly TestLog _log;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private WatchedProcess? _process;

    private Azurite(string executable, string workspace, int port, bool persistent, TestLog log)
    {
        _executable = executable;
        _workspace = workspace;
        TablePort = port;
        Persistent = persistent;
        _log = log;
    }

    public int TablePort { get; }

    /// <summary>Whether the tables live on disk (and so survive <see cref="StopAsync"/>).</summary>
    public bool Persistent { get; }

    /// <summary>Whether the Azurite process is running (it may still be starting).</summary>
    public bool IsRunning => _process is { Exited.IsCompleted: false };

    public string ConnectionString => ConnectionStringFor(TablePort);

    /// <summary>The development account's connection string for a table service on <paramref name="tablePort"/>.</summary>
    public static string ConnectionStringFor(int tablePort) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevAccountKey};TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";

    public static Task<Azurite> StartAsync(string repositoryRoot, TestLog log) => StartAsync(repositoryRoot, log, persistent: false);

    /// <param name="persistent">Keep the tables on disk (<c>--location</c>) rather than in memory.</param>
    public static async Task<Azurite> StartAsync(string repositoryRoot, TestLog log, bool persistent)
    {
        var executable = Path.Combine(repositoryRoot, "node_modules", ".bin", "azurite-table");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"{executable} is missing: run `npm ci` in {repositoryRoot} (Azurite is a devDependency).");
        }

        var workspace = Directory.CreateTempSubdirectory("jwtfunctions-azurite-").FullName;
        var azurite = new Azurite(executable, workspace, TestSupport.FreePort.Next(), persistent, log);
        try
        {
            await azurite.StartAgainAsync().ConfigureAwait(false);
            return azurite;
        }
        catch
        {
            await azurite.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Stops Azurite and waits until it has exited, so the port refuses connections. A persistent
    /// Azurite first gets SIGINT, the one signal on which azurite-table closes its database and
    /// writes it out (it saves only every 5 s otherwise, and the watchdog's SIGTERM ends it at once,
    /// losing the last writes); an in-memory one is simply stopped through the watchdog. The port
    /// is kept for <see cref="StartAgainAsync"/> only by convention: nothing else in a test run
    /// asks for that port, and the OS hands out ephemeral ports in sequence.
    /// </summary>
    public async Task StopAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_process is { } process)
            {
                _process = null;
                if (Persistent && process.ChildProcessId is int pid && !process.Exited.IsCompleted && SendSignal(pid, SigInt) == 0)
                {
                    try
                    {
                        await process.Exited.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                        _log.Write("[azurite] did not close within 10 s of SIGINT; stopping it through the watchdog.");
                    }
                }

                await process.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Starts Azurite on <see cref="TablePort"/> (again), with the same data folder when persistent.</summary>
    public async Task StartAgainAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (IsRunning)
            {
                return;
            }

            var port = TablePort.ToString(CultureInfo.InvariantCulture);
            List<string> arguments = ["--tableHost", "127.0.0.1", "--tablePort", port, "--skipApiVersionCheck", "--disableTelemetry", "--silent"];
            if (Persistent)
            {
                arguments.AddRange(["--location", Path.Combine(_workspace, "data")]);
            }
            else
            {
                arguments.Add("--inMemoryPersistence");
            }

            var process = WatchedProcess.Start(_executable, arguments, _workspace, environment: null, line => _log.Write("[azurite] " + line));
            _process = process;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                if (process.Exited.IsCompleted)
                {
                    throw new InvalidOperationException("Azurite exited during start-up; see the log.");
                }

                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, TablePort).ConfigureAwait(false);
                    return;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100).ConfigureAwait(false);
                }
                catch (SocketException e)
                {
                    throw new TimeoutException($"Azurite did not listen on port {TablePort} within 30 s.", e);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private const int SigInt = 2;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_workspace, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
