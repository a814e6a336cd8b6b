using JwtFunctions.Accounts;
using JwtFunctions.Authentication;
using JwtFunctions.Hosting;
using JwtFunctions.Revocation;
using JwtFunctions.SigningKeys;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace JwtFunctions.Tests.Infrastructure;

/// <summary>
/// The app's own service registration (AddJwtFunctions, as Program.cs) over in-memory
/// settings: Azurite for storage, a local signing key (or the given key source), uniquely named tables.
/// </summary>
public sealed class TestServices : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private TestServices(ServiceProvider provider, IReadOnlyDictionary<string, string?> settings)
    {
        _provider = provider;
        Settings = settings;
    }

    /// <summary>
    /// One app instance. Pass the <see cref="Settings"/> of another to get a second instance over
    /// the same tables and key (as two Functions instances would be).
    /// </summary>
    public static async Task<TestServices> StartAsync(
        AzuriteFixture azurite,
        bool registration = true,
        string? signingKey = null,
        string? connectionString = null,
        TimeProvider? time = null,
        IReadOnlyDictionary<string, string?>? sameAs = null,
        ISigningKeySource? keySource = null,
        IReadOnlyDictionary<string, string?>? overrides = null,
        Action<IServiceCollection>? configure = null)
    {
        var settings = sameAs is not null ? new Dictionary<string, string?>(sameAs) : new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString ?? azurite.ConnectionString,
            ["SigningKeys:LocalKey"] = signingKey ?? TestKeys.NewBase64Key(),
            ["Accounts:RegistrationEnabled"] = registration ? "true" : "false",
            ["Storage:UsersTable"] = "Users" + Guid.NewGuid().ToString("N")[..10],
            ["Storage:RefreshTokensTable"] = "Tokens" + Guid.NewGuid().ToString("N")[..10],
            ["Storage:RevocationsTable"] = "Revoked" + Guid.NewGuid().ToString("N")[..10],
            ["Storage:ThrottleTable"] = "Throttle" + Guid.NewGuid().ToString("N")[..10],
            // Tests log in many times from no address: limits far above that, still enforced.
            // LoginThrottleTests and the end-to-end throttle tests use small ones.
            ["Throttling:PerSourceLimit"] = "10000",
            ["Throttling:PerUsernameLimit"] = "10000",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        // Another key source (a Key Vault client on the stand-in's transport) instead of the local key.
        if (keySource is not null)
        {
            services.AddSingleton(keySource);
        }

        configure?.Invoke(services);
        services.AddJwtFunctions(configuration);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        // What the hosted refresh services do at start-up (a storage that is down stays unloaded).
        await provider.GetRequiredService<SigningKeyRing>().RefreshAsync(default);
        await provider.GetRequiredService<RevocationList>().RefreshAsync(default);
        return new TestServices(provider, settings);
    }

    public IReadOnlyDictionary<string, string?> Settings { get; }

    public IServiceProvider Provider => _provider;

    public T Get<T>() where T : notnull => _provider.GetRequiredService<T>();

    public AccountService Accounts => Get<AccountService>();

    public TokenService Tokens => Get<TokenService>();

    public BearerAuthenticator Authenticator => Get<BearerAuthenticator>();

    /// <summary>What the Bearer middleware concludes about an access token.</summary>
    public async Task<BearerOutcome> AuthenticateAsync(string accessToken) =>
        await Authenticator.AuthenticateAsync("Bearer " + accessToken, TokenKind.Access, default);

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
