using System.Net;
using JwtFunctions.Endpoints;
using JwtFunctions.Hosting;
using JwtFunctions.SigningKeys;
using JwtFunctions.TestSupport;
using JwtFunctions.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker.Http;
using static JwtFunctions.TestSupport.FakeHttpResponse;

namespace JwtFunctions.Tests.SigningKeys;

/// <summary>
/// A secret version's <c>expires</c> (Key Vault's <c>exp</c> attribute) passes while the app has it
/// cached: from that instant login signs with the next valid version, or answers 503 when there is
/// none, and health says "expired"; no reload is needed for either.
/// </summary>
[Collection(KeyVaultCollection.Name)]
public sealed class KeyVaultVersionExpiryTests(TestKeyVault vault, AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string Password = "twelve-chars";
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly string _secretName = "jwt-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task LoginSignsWithTheNextVersionTheInstantTheNewestExpires()
    {
        var older = vault.AddVersion(_secretName, TestKeys.NewBase64Key());
        var expires = _time.Now.AddMinutes(10);
        var newest = vault.AddVersion(_secretName, TestKeys.NewBase64Key(), expires: expires);
        await using var app = await StartAsync();
        await RegisterAsync(app, "erin");
        Assert.Equal(newest, KeyIdOf(await LoginAsync(app, "erin")));

        _time.Now = expires;

        Assert.Equal(older, KeyIdOf(await LoginAsync(app, "erin")));
    }

    [Fact]
    public async Task WhenTheOnlyVersionExpiresLoginAnswers503AndHealthSaysExpiredUntilANewVersionIsRead()
    {
        var expires = _time.Now.AddMinutes(10);
        vault.AddVersion(_secretName, TestKeys.NewBase64Key(), expires: expires);
        await using var app = await StartAsync();
        await RegisterAsync(app, "frank");
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(app, "frank")).StatusCode);

        _time.Now = expires;

        var login = await LoginAsync(app, "frank");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, login.StatusCode);
        Assert.Equal("temporarily_unavailable", JsonOf(login).GetProperty("error").GetString());
        Assert.NotNull(Header(login, "Retry-After"));
        var (healthy, report) = await app.Get<HealthProbe>().CheckAsync(default);
        Assert.False(healthy);
        Assert.Equal(("unhealthy", "expired"), (report.Status, report.SigningKeys));

        var rotated = vault.AddVersion(_secretName, TestKeys.NewBase64Key());
        Assert.True(await app.Get<SigningKeyRing>().RefreshAsync(default));
        Assert.Equal(rotated, KeyIdOf(await LoginAsync(app, "frank")));
    }

    private async Task<TestServices> StartAsync()
    {
        var source = new KeyVaultSigningKeySource(
            KeyVaultSigningKeySource.CreateClient(vault.VaultUri, AzureCredentials.Create(null), vault.CreateTransport()), _secretName, _time);
        return await TestServices.StartAsync(azurite, time: _time, keySource: source);
    }

    private static string Credentials(string user) => $$"""{"username":"{{user}}","password":"{{Password}}"}""";

    private static async Task RegisterAsync(TestServices app, string user) =>
        Assert.Equal(HttpStatusCode.Created, (await new Register(app.Accounts, app.Get<JwtFunctions.Accounts.LoginThrottle>()).Run(FakeHttpRequest.Json("POST", Credentials(user)), default)).StatusCode);

    private static Task<HttpResponseData> LoginAsync(TestServices app, string user) =>
        new Login(app.Accounts, app.Get<JwtFunctions.Accounts.LoginThrottle>()).Run(FakeHttpRequest.Json("POST", Credentials(user)), default);

    private static string KeyIdOf(HttpResponseData login)
    {
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(JsonOf(login).GetProperty("access_token").GetString()).Kid;
    }
}
