using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using JwtFunctions.Endpoints;
using JwtFunctions.Hosting;
using JwtFunctions.Revocation;
using JwtFunctions.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JwtFunctions.Benchmarks;

/// <summary>
/// The app's services, built only through its own registration extensions (as Program.cs does),
/// with a private in-memory Azurite (the tests' launcher, tests/TestSupport).
/// </summary>
public sealed class AppFixture : IAsyncDisposable
{
    private readonly Azurite _azurite;
    private readonly IHost _host;

    private AppFixture(Azurite azurite, IHost host, byte[] key)
    {
        _azurite = azurite;
        _host = host;
        KeyBytes = key;
    }

    public byte[] KeyBytes { get; }

    public int AzuritePort => _azurite.TablePort;

    public IServiceProvider Services => _host.Services;

    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    public static string RepositoryRoot =>
        typeof(AppFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "RepositoryRoot").Value!;

    public static async Task<AppFixture> StartAsync(IDictionary<string, string?>? extraSettings = null)
    {
        var azurite = await Azurite.StartAsync(RepositoryRoot, new TestLog()).ConfigureAwait(false);
        try
        {
            var key = RandomNumberGenerator.GetBytes(32);
            var settings = new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
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
            builder.Services.AddJwtFunctions(builder.Configuration);

            var host = builder.Build();
            await host.StartAsync().ConfigureAwait(false);
            var fixture = new AppFixture(azurite, host, key);
            await fixture.WaitHealthyAsync().ConfigureAwait(false);
            return fixture;
        }
        catch
        {
            await azurite.DisposeAsync().ConfigureAwait(false);
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
            await _azurite.DisposeAsync().ConfigureAwait(false);
        }
    }
}
