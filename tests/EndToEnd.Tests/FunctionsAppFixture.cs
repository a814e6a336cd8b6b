using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using JwtFunctions.FunctionsHost;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// Once per collection: build the app, start Azurite and the local Functions host running the
/// real worker, and wait until <c>/api/health</c> answers 200.
/// </summary>
/// <remarks>
/// Settings reach the worker both ways <c>func start</c> offers: a local.settings.json written here
/// (worker runtime, the homepage off as infra/ sets it, registration on) and environment variables
/// set programmatically (the Azurite connection string, a fresh random signing key).
/// </remarks>
public class FunctionsAppFixture : IAsyncLifetime
{
    public const string Password = "correct horse battery staple";

    private Azurite? _azurite;
    private string? _settingsDirectory;

    public TestLog Log { get; } = new();

    public LocalFunctionsHost Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>Azurite's connection string, as the app has it in <c>AzureWebJobsStorage</c>.</summary>
    public string StorageConnectionString => _azurite?.ConnectionString ?? throw new InvalidOperationException("Azurite is not running.");

    /// <summary>The 32 random bytes behind <c>SigningKeys__LocalKey</c> (key id <c>local</c>).</summary>
    public byte[] SigningKey { get; } = RandomNumberGenerator.GetBytes(32);

    public async Task InitializeAsync()
    {
        try
        {
            var appDirectory = await AppBuild.GetAppDirectoryAsync();
            _azurite = await Azurite.StartAsync(AppBuild.RepositoryRoot, Log);
            await BeforeHostStartAsync();

            _settingsDirectory = Directory.CreateTempSubdirectory("jwtfunctions-e2e-").FullName;
            var settingsPath = Path.Combine(_settingsDirectory, "local.settings.json");
            await File.WriteAllTextAsync(settingsPath, $$"""
                {
                  "IsEncrypted": false,
                  "Values": {
                    "FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated",
                    "AzureWebJobsDisableHomepage": "true",
                    "Accounts__RegistrationEnabled": "true"
                  },
                  "Host": {{LocalSettingsHost}}
                }
                """);

            Host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
            {
                AppDirectory = appDirectory,
                Port = 0,
                LocalSettingsPath = settingsPath,
                Environment = new Dictionary<string, string>
                {
                    ["AzureWebJobsStorage"] = _azurite.ConnectionString,
                    ["SigningKeys__LocalKey"] = Convert.ToBase64String(SigningKey),
                    ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = string.Empty,
                    // The whole suite logs in from 127.0.0.1 on this one app: limits above its
                    // volume, still enforced. Throttling/ThrottlingTests run small ones.
                    ["Throttling__PerSourceLimit"] = "10000",
                    ["Throttling__PerUsernameLimit"] = "1000",
                }.Concat(ExtraEnvironment).ToDictionary(),
                LogSink = Log.Write,
            });
            Client = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            await WaitForHealthAsync();
        }
        catch (Exception e)
        {
            await DisposeAsync();
            throw new InvalidOperationException($"The end-to-end environment did not start: {e.Message}{Environment.NewLine}--- log tail ---{Environment.NewLine}{Log.Tail()}", e);
        }
    }

    /// <summary>More app settings for a fixture of another configuration (cookie mode, ...).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> ExtraEnvironment => [];

    /// <summary>The local.settings.json <c>Host</c> section (Host.CORS, ...), as JSON.</summary>
    protected virtual string LocalSettingsHost => "{}";

    /// <summary>Runs after Azurite started and before the host starts (e.g. servers the settings name).</summary>
    protected virtual Task BeforeHostStartAsync() => Task.CompletedTask;

    private async Task WaitForHealthAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        HttpStatusCode? last = null;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await Client.GetAsync("api/health");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            last = response.StatusCode;
            await Task.Delay(200);
        }

        throw new TimeoutException($"/api/health did not answer 200 within 60 s (last: {last}).");
    }

    public static string NewUsername() => "user" + Guid.NewGuid().ToString("N")[..12];

    public async Task RegisterAsync(string username, string password = Password)
    {
        using var response = await Client.PostAsync("api/v1.0/register", SizedJson(new { username, password }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public async Task<TokenPair> LoginAsync(string username, string password = Password)
    {
        using var response = await Client.PostAsync("api/v1.0/login", SizedJson(new { username, password }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return new TokenPair(body.RootElement.GetProperty("access_token").GetString()!, body.RootElement.GetProperty("refresh_token").GetString()!);
    }

    /// <summary>
    /// JSON sent with Content-Length. The set-up helpers use it so that they work in either HTTP
    /// model; chunked bodies (what PostAsJsonAsync sends) are exercised by the tests themselves.
    /// </summary>
    public static HttpContent SizedJson<T>(T value) => new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value))
    {
        Headers = { ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") },
    };

    public async Task<(string Username, TokenPair Tokens)> NewSessionAsync()
    {
        var username = NewUsername();
        await RegisterAsync(username);
        return (username, await LoginAsync(username));
    }

    public virtual async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
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

public sealed record TokenPair(string Access, string Refresh);

[CollectionDefinition(Name)]
public sealed class FunctionsAppCollection : ICollectionFixture<FunctionsAppFixture>
{
    public const string Name = "Functions app";
}

/// <summary>Routes the fixture's log to the running test's output.</summary>
public abstract class FunctionsAppTest : IDisposable
{
    protected FunctionsAppTest(FunctionsAppFixture app, ITestOutputHelper output)
    {
        App = app;
        App.Log.Attach(output);
    }

    protected FunctionsAppFixture App { get; }

    protected HttpClient Client => App.Client;

    public void Dispose()
    {
        App.Log.Attach(null);
        GC.SuppressFinalize(this);
    }
}
