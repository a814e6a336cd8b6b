using JwtFunctions.Accounts;
using JwtFunctions.HealthChecks;
using JwtFunctions.Keys;
using JwtFunctions.Middleware;
using JwtFunctions.Storage;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace JwtFunctions.Tests.Infrastructure;

/// <summary>
/// The app's own service registrations (the same AddX() calls as Program.cs) over in-memory
/// settings: Azurite for storage, a local signing key, uniquely named tables.
/// </summary>
public sealed class TestServices : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private TestServices(ServiceProvider provider) => _provider = provider;

    public static async Task<TestServices> StartAsync(AzuriteFixture azurite, bool registration = true, string? signingKey = null, string? connectionString = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString ?? azurite.ConnectionString,
            ["SigningKeys:LocalKey"] = signingKey ?? TestKeys.NewBase64Key(),
            ["Accounts:RegistrationEnabled"] = registration ? "true" : "false",
            ["Storage:UsersTable"] = "Users" + Guid.NewGuid().ToString("N")[..10],
            ["Storage:RefreshTokensTable"] = "Tokens" + Guid.NewGuid().ToString("N")[..10],
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddSigningKeys()
            .AddJwtTokens()
            .AddTableStorage()
            .AddAccounts()
            .AddHealthProbe()
            .AddBearerAuthentication();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        // What SigningKeyRefreshService does at start-up.
        await provider.GetRequiredService<SigningKeyRing>().RefreshAsync(default);
        return new TestServices(provider);
    }

    public T Get<T>() where T : notnull => _provider.GetRequiredService<T>();

    public AccountService Accounts => Get<AccountService>();

    public TokenService Tokens => Get<TokenService>();

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
