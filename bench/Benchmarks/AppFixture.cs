using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using JwtFunctions.Accounts;
using JwtFunctions.HealthChecks;
using JwtFunctions.Keys;
using JwtFunctions.Middleware;
using JwtFunctions.Revocation;
using JwtFunctions.Storage;
using JwtFunctions.Telemetry;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JwtFunctions.Benchmarks;

/// <summary>
/// The app's services, built only through its own registration extensions (as Program.cs does),
/// with a private in-memory Azurite (table service) started from the repository's npm dependency.
/// </summary>
public sealed class AppFixture : IAsyncDisposable
{
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _azurite;
    private readonly IHost _host;

    private AppFixture(Process azurite, IHost host, byte[] key, int port)
    {
        _azurite = azurite;
        _host = host;
        KeyBytes = key;
        AzuritePort = port;
    }

    public byte[] KeyBytes { get; }

    public int AzuritePort { get; }

    public IServiceProvider Services => _host.Services;

    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    public static string RepositoryRoot =>
        typeof(AppFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "RepositoryRoot").Value!;

    public static string ConnectionString(int port) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static Process StartAzurite(int port)
    {
        var main = Path.Combine(RepositoryRoot, "node_modules", "azurite", "dist", "src", "table", "main.js");
        if (!File.Exists(main))
        {
            throw new InvalidOperationException($"Azurite is not installed ({main}); run `npm ci` in the repository root.");
        }

        var start = new ProcessStartInfo("node")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            main, "--tableHost", "127.0.0.1", "--tablePort", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--inMemoryPersistence", "--skipApiVersionCheck", "--disableProductStyleUrl", "--disableTelemetry", "--silent",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(process);

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {process.ExitCode}.");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return process;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        Stop(process);
        throw new TimeoutException("Azurite did not listen within 30 s.");
    }

    public static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    public static async Task<AppFixture> StartAsync(IDictionary<string, string?>? extraSettings = null)
    {
        var port = FreePort();
        var azurite = StartAzurite(port);
        try
        {
            var key = RandomNumberGenerator.GetBytes(32);
            var settings = new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = ConnectionString(port),
                ["SigningKeys:LocalKey"] = Convert.ToBase64String(key),
                ["Accounts:RegistrationEnabled"] = "true",
            };
            foreach (var (name, value) in extraSettings ?? new Dictionary<string, string?>())
            {
                settings[name] = value;
            }

            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);

            // Mirrors src/Functions/Program.cs (UseBearerAuthentication registers AddBearerAuthentication).
            builder.Services
                .AddTelemetry(builder.Configuration)
                .AddSigningKeys()
                .AddJwtTokens()
                .AddTableStorage()
                .AddRevocation()
                .AddAccounts()
                .AddHealthProbe()
                .AddBearerAuthentication();

            var host = builder.Build();
            await host.StartAsync().ConfigureAwait(false);
            var fixture = new AppFixture(azurite, host, key, port);
            await fixture.WaitHealthyAsync().ConfigureAwait(false);
            return fixture;
        }
        catch
        {
            Stop(azurite);
            throw;
        }
    }

    private async Task WaitHealthyAsync()
    {
        var probe = Get<HealthProbe>();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var (healthy, report) = await probe.CheckAsync(CancellationToken.None).ConfigureAwait(false);
            if (healthy && await Get<RevocationList>().EnsureLoadedAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false))
            {
                return;
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"The app did not become healthy: {report}.");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
            Stop(_azurite);
        }
    }
}
