using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using JwtFunctions.FunctionsHost;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// The real app in its real worker with its keys in a (stand-in) Key Vault and its tables in a
/// persistent Azurite, for the dependency-failure tests: nothing here configures a local key, so
/// every token the app issues was signed with a key it read from the vault.
/// </summary>
/// <remarks>
/// How the worker, a separate process using the real <c>SecretClient</c> and
/// <c>DefaultAzureCredential</c>, reaches <see cref="TestKeyVault"/> without any change to the app:
/// <list type="bullet">
/// <item><c>SigningKeys__VaultUri=https://jwtfunctions-test.vault.azure.net/</c>: a real vault name, so the
/// SDK's check that the 401 challenge's resource (<c>https://vault.azure.net</c>) matches the vault
/// host stays on and passes.</item>
/// <item><c>HTTPS_PROXY</c> points at a <see cref="ConnectProxy"/> that tunnels only that name's port 443
/// to the stand-in's HTTPS port on 127.0.0.1 (and refuses anything else); <c>NO_PROXY</c> keeps
/// Azurite and the identity endpoint (plain http on loopback) direct. <see cref="ConnectProxy.Down"/>
/// is the outage switch.</item>
/// <item><c>SSL_CERT_FILE</c> names a PEM file holding the stand-in's self-signed certificate: .NET on
/// Linux reads its root store from <c>SSL_CERT_FILE</c> and <c>SSL_CERT_DIR</c>, so TLS is verified
/// normally (chain and name), with no validation callback in the app. <c>SSL_CERT_DIR</c> is left as
/// it is, so the system's roots stay trusted too.</item>
/// <item><c>IDENTITY_ENDPOINT</c> / <c>IDENTITY_HEADER</c>: App Service managed identity, served by the
/// stand-in over http; passed to the worker only (not set for the test process).</item>
/// </list>
/// </remarks>
public sealed class KeyVaultApp : IAsyncDisposable
{
    public const string Password = "correct horse battery staple";
    public const string VaultHost = "jwtfunctions-test.vault.azure.net";

    /// <summary>The smallest refresh interval the app accepts, so refresh and backoff are observable.</summary>
    public static readonly TimeSpan KeyRefreshInterval = TimeSpan.FromSeconds(10);

    private readonly System.Collections.Concurrent.ConcurrentQueue<(DateTime At, string Line)> _refreshLog = new();
    private string? _workDirectory;
    private int _disposed;

    private KeyVaultApp(TestLog log, string algorithm = "HS256")
    {
        Log = log;
        Algorithm = algorithm;
    }

    /// <summary><c>Jwt__Algorithm</c>: HS256 (base64 secrets) or ES256 / RS256 (PEM PKCS#8 private keys in the vault).</summary>
    public string Algorithm { get; }

    /// <summary>With ES256 / RS256: <c>Jwt__Issuer</c>, the app's own base URL (<c>http://127.0.0.1:{port}/api</c>); else null.</summary>
    public string? Issuer { get; private set; }

    /// <summary>The secret values added, by version id, so tests can forge with a key the app holds (or held).</summary>
    public Dictionary<string, string> KeyValues { get; } = [];

    /// <summary>Extra app settings for the worker (e.g. <c>SigningKeys__ActivationDelay</c>).</summary>
    public Dictionary<string, string> ExtraSettings { get; } = [];

    public TestLog Log { get; }

    public TestKeyVault Vault { get; } = new() { SetProcessIdentityEnvironment = false };

    public ConnectProxy Proxy { get; private set; } = null!;

    public Azurite Azurite { get; private set; } = null!;

    public LocalFunctionsHost Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string SecretName { get; } = "jwt-e2e-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The version ids (token <c>kid</c>s) added to the vault, oldest first.</summary>
    public List<string> KeyIds { get; } = [];

    /// <summary>
    /// Starts vault, proxy, persistent Azurite and the worker. <paramref name="beforeWorker"/> runs
    /// once the vault holds its first key version and before the worker starts (e.g. to make the
    /// vault deny or be unreachable at cold start). Does not wait for health.
    /// </summary>
    public static async Task<KeyVaultApp> StartAsync(TestLog log, Action<KeyVaultApp>? beforeWorker = null, string algorithm = "HS256")
    {
        var app = new KeyVaultApp(log, algorithm);
        try
        {
            await app.StartCoreAsync(beforeWorker);
            return app;
        }
        catch (Exception e)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException($"The Key Vault app did not start: {e.Message}{Environment.NewLine}--- log tail ---{Environment.NewLine}{log.Tail()}", e);
        }
    }

    private async Task StartCoreAsync(Action<KeyVaultApp>? beforeWorker)
    {
        var appDirectory = await AppBuild.GetAppDirectoryAsync();
        await Vault.InitializeAsync();
        AddKeyVersion();
        Proxy = new ConnectProxy(VaultHost, 443, Vault.HttpsPort, Log.Write);
        Azurite = await Azurite.StartAsync(AppBuild.RepositoryRoot, Log, persistent: true);

        _workDirectory = Directory.CreateTempSubdirectory("jwtfunctions-e2e-kv-").FullName;
        var certificateFile = Path.Combine(_workDirectory, "test-vault.pem");
        await File.WriteAllTextAsync(certificateFile, Vault.CertificatePem);
        var settingsPath = Path.Combine(_workDirectory, "local.settings.json");
        await File.WriteAllTextAsync(settingsPath, """
            {
              "IsEncrypted": false,
              "Values": {
                "FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated",
                "Accounts__RegistrationEnabled": "true"
              }
            }
            """);

        var environment = new Dictionary<string, string>(Vault.IdentityEnvironment)
        {
            ["AzureWebJobsStorage"] = Azurite.ConnectionString,
            ["SigningKeys__VaultUri"] = Vault.VaultUri.AbsoluteUri,
            ["SigningKeys__SecretName"] = SecretName,
            ["SigningKeys__RefreshInterval"] = KeyRefreshInterval.ToString("c"),
            // Reload the revocation list often, so a storage outage test sees a failed reload soon.
            ["Revocation__RefreshInterval"] = "00:00:02",
            // Its tests log in many times from 127.0.0.1: limits above that, still enforced.
            ["Throttling__PerSourceLimit"] = "10000",
            ["Throttling__PerUsernameLimit"] = "1000",
            ["HTTPS_PROXY"] = Proxy.ProxyUrl,
            ["https_proxy"] = Proxy.ProxyUrl,
            ["NO_PROXY"] = "127.0.0.1,localhost",
            ["no_proxy"] = "127.0.0.1,localhost",
            ["SSL_CERT_FILE"] = certificateFile,
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = string.Empty,
        };
        int? port = null;
        if (Algorithm != "HS256")
        {
            // The issuer is the app's public base URL, so the port is chosen before the worker starts.
            port = FreePort.Next();
            Issuer = $"http://127.0.0.1:{port}/api";
            environment["Jwt__Algorithm"] = Algorithm;
            environment["Jwt__Issuer"] = Issuer;
        }

        beforeWorker?.Invoke(this);
        foreach (var (name, value) in ExtraSettings)
        {
            environment[name] = value;
        }

        Host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
        {
            AppDirectory = appDirectory,
            Port = port ?? 0,
            LocalSettingsPath = settingsPath,
            Environment = environment,
            LogSink = line =>
            {
                Log.Write(line);
                if (line.Contains("Next signing key refresh in", StringComparison.Ordinal)
                    || line.Contains("Revocation list could not be loaded", StringComparison.Ordinal))
                {
                    _refreshLog.Enqueue((DateTime.UtcNow, line));
                }
            },
        });
        Client = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Adds a new random 32-byte version of the signing secret (a rotation); returns its id.</summary>
    public string AddKeyVersion()
    {
        var value = Algorithm switch
        {
            "ES256" => TokenForge.NewEs256Pem(),
            "RS256" => TokenForge.NewRsaPem(),
            _ => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        var id = Vault.AddVersion(SecretName, value);
        KeyIds.Add(id);
        KeyValues[id] = value;
        return id;
    }

    /// <summary>The delays the key refresh scheduled after failures ("Next signing key refresh in ...") since <paramref name="since"/>.</summary>
    public IReadOnlyList<TimeSpan> KeyRetryDelaysSince(DateTime since) =>
        [.. _refreshLog.Where(e => e.At >= since)
            .Select(e => System.Text.RegularExpressions.Regex.Match(e.Line, @"Next signing key refresh in (\S+)"))
            .Where(m => m.Success)
            .Select(m => TimeSpan.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>How many times the revocation list failed to reload since <paramref name="since"/>.</summary>
    public int RevocationReloadFailuresSince(DateTime since) =>
        _refreshLog.Count(e => e.At >= since && e.Line.Contains("Revocation list could not be loaded", StringComparison.Ordinal));

    public static string NewUsername() => "kvuser" + Guid.NewGuid().ToString("N")[..12];

    public async Task<HttpResponseMessage> PostJsonAsync(string path, object body) => await Client.PostAsJsonAsync(path, body);

    public Task<HttpResponseMessage> LoginAsync(string username) => PostJsonAsync("api/v1.0/login", new { username, password = Password });

    public async Task<HttpResponseMessage> RefreshAsync(string refreshToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1.0/refresh");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", refreshToken);
        return await Client.SendAsync(request);
    }

    public async Task<HttpResponseMessage> ProtectedAsync(string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1.0/protected");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await Client.SendAsync(request);
    }

    /// <summary>Registers a new user and logs in (both must succeed).</summary>
    public async Task<(string Username, IssuedTokens Tokens)> NewSessionAsync()
    {
        var username = NewUsername();
        using (var register = await PostJsonAsync("api/v1.0/register", new { username, password = Password }))
        {
            Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        }

        using var login = await LoginAsync(username);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return (username, await ReadTokensAsync(login));
    }

    public static async Task<IssuedTokens> ReadTokensAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return new IssuedTokens(body.RootElement.GetProperty("access_token").GetString()!, body.RootElement.GetProperty("refresh_token").GetString()!);
    }

    /// <summary>GET /api/health (with <paramref name="accessToken"/>, the details): status code, the body's <c>status</c>, the body.</summary>
    public async Task<(HttpStatusCode Code, string Status, string Body)> HealthAsync(string? accessToken = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/health");
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        string status;
        try
        {
            using var body = JsonDocument.Parse(text);
            status = body.RootElement.TryGetProperty("status", out var s) ? s.GetString() ?? "" : "";
        }
        catch (JsonException)
        {
            status = "(not json)";
        }

        return (response.StatusCode, status, text);
    }

    /// <summary>Polls <paramref name="condition"/> every 400 ms until true; the time it took, or a timeout naming <paramref name="what"/>.</summary>
    /// <summary>Waits for <paramref name="starting"/> and then for health 200; on failure disposes it and says why, with the log tail.</summary>
    public static async Task<KeyVaultApp> StartHealthyAsync(TestLog log, string what, Task<KeyVaultApp> starting)
    {
        var app = await starting;
        try
        {
            await WaitUntilAsync(what, TimeSpan.FromSeconds(60), async () => (await app.HealthAsync()).Code == HttpStatusCode.OK);
            return app;
        }
        catch (Exception e)
        {
            var tail = log.Tail();
            await app.DisposeAsync();
            throw new InvalidOperationException($"{e.Message}{Environment.NewLine}--- log tail ---{Environment.NewLine}{tail}", e);
        }
    }

    public static async Task<TimeSpan> WaitUntilAsync(string what, TimeSpan timeout, Func<Task<bool>> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"{what}: not reached within {timeout.TotalSeconds:0} s.");
            }

            await Task.Delay(400);
        }

        return watch.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Client?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        if (Azurite is not null)
        {
            await Azurite.DisposeAsync();
        }

        await Vault.DisposeAsync();
        if (_workDirectory is not null)
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
    }
}

/// <summary>One warm <see cref="KeyVaultApp"/> (healthy, keys loaded from the vault) shared by a collection.</summary>
public sealed class KeyVaultAppFixture : IAsyncLifetime
{
    public TestLog Log { get; } = new();

    public KeyVaultApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await KeyVaultApp.StartHealthyAsync(Log, "health 200 with keys from the vault", KeyVaultApp.StartAsync(Log));

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class KeyVaultAppCollection : ICollectionFixture<KeyVaultAppFixture>
{
    public const string Name = "Functions app with Key Vault and persistent Azurite";
}

/// <summary>What login and refresh return: an access token and a refresh token.</summary>
public sealed record IssuedTokens(string Access, string Refresh)
{
    /// <summary>The key version that signed the access token (its JWS <c>kid</c>).</summary>
    public string AccessKeyId => new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(Access).Kid;
}
