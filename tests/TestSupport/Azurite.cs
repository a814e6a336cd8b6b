using System.Net;
using System.Net.Sockets;
using JwtFunctions.FunctionsHost;

namespace JwtFunctions.TestSupport;

/// <summary>
/// Azurite's Table service from the repository's npm devDependency, in memory, on a free loopback
/// port, under the same watchdog as the worker (so it dies with the test run whatever happens).
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    // The well-known, public Azurite development account key.
    private const string DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly WatchedProcess _process;
    private readonly string _workspace;

    private Azurite(WatchedProcess process, string workspace, int port)
    {
        _process = process;
        _workspace = workspace;
        TablePort = port;
    }

    public int TablePort { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevAccountKey};TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    public static async Task<Azurite> StartAsync(string repositoryRoot, TestLog log)
    {
        var executable = Path.Combine(repositoryRoot, "node_modules", ".bin", "azurite-table");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"{executable} is missing: run `npm ci` in {repositoryRoot} (Azurite is a devDependency).");
        }

        var workspace = Directory.CreateTempSubdirectory("jwtfunctions-azurite-").FullName;
        var port = TestSupport.FreePort.Next();
        var process = WatchedProcess.Start(
            executable,
            ["--tableHost", "127.0.0.1", "--tablePort", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent"],
            workspace,
            environment: null,
            line => log.Write("[azurite] " + line));
        var azurite = new Azurite(process, workspace, port);
        try
        {
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
                    await client.ConnectAsync(IPAddress.Loopback, port);
                    return azurite;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100);
                }
                catch (SocketException e)
                {
                    throw new TimeoutException($"Azurite did not listen on port {port} within 30 s.", e);
                }
            }
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_workspace, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
