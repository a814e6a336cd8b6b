using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using JwtFunctions.FunctionsHost;

namespace JwtFunctions.EndToEnd.Tests.TwoInstances;

/// <summary>
/// Scale-out as Flex Consumption runs it: two local hosts, each with its own worker process, on
/// one Azurite (the same tables) and with the same signing key, so that a token issued by one is
/// accepted by the other. Per-instance state (the in-memory revocation list) converges only on
/// reload: <c>Revocation__RefreshInterval</c> is set to <see cref="RevocationInterval"/> here
/// (default 00:00:15).
/// </summary>
public class TwoInstancesFixture : IAsyncLifetime
{
    public const string Password = FunctionsAppFixture.Password;

    public static readonly TimeSpan RevocationInterval = TimeSpan.FromSeconds(2);

    private Azurite? _azurite;
    private string? _settingsDirectory;
    private readonly List<LocalFunctionsHost> _hosts = [];

    public TestLog Log { get; } = new();

    /// <summary>The 32 random bytes behind both instances' <c>SigningKeys__LocalKey</c> (key id <c>local</c>).</summary>
    public byte[] SigningKey { get; } = RandomNumberGenerator.GetBytes(32);

    /// <summary>Instance 0 and instance 1.</summary>
    public IReadOnlyList<HttpClient> Clients { get; private set; } = [];

    /// <summary>
    /// Password-attempt limits of both instances: above what the two-instance tests send from
    /// 127.0.0.1, still enforced; <see cref="Throttling.ThrottledInstancesFixture"/> sets small ones.
    /// </summary>
    protected virtual IReadOnlyDictionary<string, string> ThrottleSettings { get; } = new Dictionary<string, string>
    {
        ["Throttling__PerSourceLimit"] = "10000",
        ["Throttling__PerUsernameLimit"] = "1000",
    };

    public string StorageConnectionString => _azurite?.ConnectionString ?? throw new InvalidOperationException("Azurite is not running.");

    public async Task InitializeAsync()
    {
        try
        {
            var appDirectory = await AppBuild.GetAppDirectoryAsync();
            _azurite = await Azurite.StartAsync(AppBuild.RepositoryRoot, Log);
            _settingsDirectory = Directory.CreateTempSubdirectory("jwtfunctions-two-").FullName;
            var settingsPath = Path.Combine(_settingsDirectory, "local.settings.json");
            await File.WriteAllTextAsync(settingsPath, $$"""
                {
                  "IsEncrypted": false,
                  "Values": {
                    "FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated",
                    "AzureWebJobsDisableHomepage": "true",
                    "Accounts__RegistrationEnabled": "true",
                    "Revocation__RefreshInterval": "{{RevocationInterval:c}}"
                  }
                }
                """);
            var key = Convert.ToBase64String(SigningKey);
            var environment = new Dictionary<string, string>(ThrottleSettings)
            {
                ["AzureWebJobsStorage"] = _azurite.ConnectionString,
                ["SigningKeys__LocalKey"] = key,
                ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = string.Empty,
            };
            var starts = Enumerable.Range(0, 2).Select(instance => LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
            {
                AppDirectory = appDirectory,
                Port = 0,
                LocalSettingsPath = settingsPath,
                Environment = environment,
                LogSink = line => Log.Write($"[instance {instance}] {line}"),
            })).ToList();
            try
            {
                await Task.WhenAll(starts);
            }
            finally
            {
                _hosts.AddRange(starts.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result));
            }

            Clients = _hosts.Select(h => new HttpClient { BaseAddress = h.BaseAddress, Timeout = TimeSpan.FromSeconds(30) }).ToList();
            foreach (var client in Clients)
            {
                await WaitForHealthAsync(client);
            }
        }
        catch (Exception e)
        {
            await DisposeAsync();
            throw new InvalidOperationException($"The two instances did not start: {e.Message}{Environment.NewLine}--- log tail ---{Environment.NewLine}{Log.Tail()}", e);
        }
    }

    private static async Task WaitForHealthAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        HttpStatusCode? last = null;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await client.GetAsync("api/health");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            last = response.StatusCode;
            await Task.Delay(200);
        }

        throw new TimeoutException($"/api/health did not answer 200 within 60 s (last: {last}).");
    }

    public async Task<TokenPair> LoginAsync(HttpClient client, string username)
    {
        using var response = await client.PostAsync("api/v1.0/login", FunctionsAppFixture.SizedJson(new { username, password = Password }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return new TokenPair(body.RootElement.GetProperty("access_token").GetString()!, body.RootElement.GetProperty("refresh_token").GetString()!);
    }

    public async Task RegisterAsync(HttpClient client, string username)
    {
        using var response = await client.PostAsJsonAsync("api/v1.0/register", new { username, password = Password });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public async Task DisposeAsync()
    {
        foreach (var client in Clients)
        {
            client.Dispose();
        }

        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        if (_settingsDirectory is not null)
        {
            Directory.Delete(_settingsDirectory, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TwoInstancesCollection : ICollectionFixture<TwoInstancesFixture>
{
    public const string Name = "Two instances";
}
