using System.Net;
using System.Text.Json;
using JwtFunctions.Authentication;
using JwtFunctions.Endpoints;
using JwtFunctions.Hosting;
using JwtFunctions.SigningKeys;
using JwtFunctions.TestSupport;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.Tokens;
using Microsoft.Azure.Functions.Worker.Http;
using static JwtFunctions.TestSupport.FakeHttpResponse;

namespace JwtFunctions.Tests.SigningKeys;

/// <summary>
/// The app's real services and its real <c>SecretClient</c> against the vault stand-in, on a clock
/// the test moves: when the vault refuses the app (403, or 401 to its token) the cached keys keep
/// issuing for <c>SigningKeys:AccessDeniedGracePeriod</c> only, then login and refresh answer 503;
/// tokens already issued are accepted until every one of them could have expired, then nothing
/// is; health says which all along.
/// </summary>
[Collection(KeyVaultCollection.Name)]
public sealed class KeyVaultAccessDeniedTests(TestKeyVault vault, AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string Password = "twelve-chars";
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(30);
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly string _secretName = "jwt-" + Guid.NewGuid().ToString("N")[..12];

    [Theory]
    [InlineData(VaultMode.Forbidden)]
    [InlineData(VaultMode.Unauthorized)]
    public async Task RefusedAccessKeepsIssuingForTheGracePeriodThenStopsIssuingAndLaterStopsAccepting(VaultMode refusal)
    {
        vault.AddVersion(_secretName, TestKeys.NewBase64Key());
        await using var app = await StartAsync();
        await RegisterAsync(app, "alice");

        // The token handler checks nbf and exp on the real clock, so the login below happens at
        // the real time and the refusal is dated 29 minutes before it on the app's clock.
        var loginAt = _time.Now;
        _time.Now = loginAt - (Grace - TimeSpan.FromMinutes(1));
        var start = _time.Now;
        var refused = await RefreshWhileAsync(app, refusal);

        Assert.False(refused);
        _time.Now = loginAt;
        var during = await LoginAsync(app, "alice");
        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        var tokens = JsonOf(during);
        var (code, body) = await HealthAsync(app);
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("""{"status":"degraded"}""", body);
        var details = await HealthDetailsAsync(app, tokens.GetProperty("access_token").GetString()!);
        Assert.Equal("access-denied", details.GetProperty("signing_keys").GetString());
        Assert.True(details.GetProperty("issuing").GetBoolean());
        Assert.Equal(start + Grace, details.GetProperty("issuing_stops_at").GetDateTimeOffset());

        // The grace period is over: nothing is issued, with the answer the app gives when no key is loaded.
        _time.Now = start + Grace + TimeSpan.FromSeconds(1);
        var login = await LoginAsync(app, "alice");
        await AssertTemporarilyUnavailableAsync(login);
        var refresh = await new Refresh(app.Accounts, app.Tokens).Run(
            FakeHttpRequest.Json("POST", $$"""{"refresh_token":"{{tokens.GetProperty("refresh_token").GetString()}}"}"""), new FakeFunctionContext(), default);
        await AssertTemporarilyUnavailableAsync(refresh);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, """{"status":"unhealthy"}"""), await HealthAsync(app));

        // Tokens issued before the stop are still accepted (they cannot outlive it by more than
        // their lifetime), and their holders see why nothing is issued.
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        _time.Now = start + Grace + TimeSpan.FromMinutes(10);
        Assert.Equal(TokenFailure.None, (await app.AuthenticateAsync(accessToken)).Failure);
        details = await HealthDetailsAsync(app, accessToken);
        Assert.Equal("unhealthy", details.GetProperty("status").GetString());
        Assert.Equal("access-denied", details.GetProperty("signing_keys").GetString());
        Assert.False(details.GetProperty("issuing").GetBoolean());

        // Once every token issued before the stop has expired, the cached keys accept nothing either.
        var jwt = app.Tokens.Options;
        _time.Now = start + Grace + jwt.AccessTokenLifetime + jwt.ClockSkew;
        Assert.Equal(TokenFailure.KeysUnavailable, (await app.AuthenticateAsync(accessToken)).Failure);

        // Access is granted again: the next read restores everything, no restart.
        Assert.True(await app.Get<SigningKeyRing>().RefreshAsync(default));
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(app, "alice")).StatusCode);
        Assert.Equal((HttpStatusCode.OK, """{"status":"healthy"}"""), await HealthAsync(app));
    }

    [Fact]
    public async Task TheGraceIsCountedFromTheFirstRefusalNotExtendedByLaterOnes()
    {
        vault.AddVersion(_secretName, TestKeys.NewBase64Key());
        await using var app = await StartAsync();
        await RegisterAsync(app, "bob");
        var start = _time.Now;
        await RefreshWhileAsync(app, VaultMode.Forbidden);

        _time.Now = start + Grace - TimeSpan.FromMinutes(5);
        await RefreshWhileAsync(app, VaultMode.Forbidden);
        await RefreshWhileAsync(app, VaultMode.Down);
        _time.Now = start + Grace;

        await AssertTemporarilyUnavailableAsync(await LoginAsync(app, "bob"));
    }

    [Fact]
    public async Task ZeroGraceStopsIssuingAtTheFirstRefusal()
    {
        vault.AddVersion(_secretName, TestKeys.NewBase64Key());
        await using var app = await StartAsync(grace: "00:00:00");
        await RegisterAsync(app, "carol");
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(app, "carol")).StatusCode);

        await RefreshWhileAsync(app, VaultMode.Forbidden);

        await AssertTemporarilyUnavailableAsync(await LoginAsync(app, "carol"));
    }

    [Fact]
    public async Task AnUnreachableVaultIsNotARefusalAndKeepsServingCachedKeys()
    {
        vault.AddVersion(_secretName, TestKeys.NewBase64Key());
        await using var app = await StartAsync();
        await RegisterAsync(app, "dave");

        await RefreshWhileAsync(app, VaultMode.Down);
        _time.Now += TimeSpan.FromDays(2);

        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(app, "dave")).StatusCode);
        Assert.Equal((HttpStatusCode.OK, """{"status":"degraded"}"""), await HealthAsync(app));
    }

    private async Task<TestServices> StartAsync(string grace = "00:30:00")
    {
        var source = new KeyVaultSigningKeySource(
            KeyVaultSigningKeySource.CreateClient(vault.VaultUri, AzureCredentials.Create(null), vault.CreateTransport()), _secretName, _time);
        var app = await TestServices.StartAsync(azurite, time: _time, keySource: source,
            overrides: new Dictionary<string, string?> { ["SigningKeys:AccessDeniedGracePeriod"] = grace });
        Assert.Equal(SigningKeyRingState.Ready, app.Get<SigningKeyRing>().State);
        return app;
    }

    /// <summary>One background refresh while the vault answers in <paramref name="mode"/>.</summary>
    private async Task<bool> RefreshWhileAsync(TestServices app, VaultMode mode)
    {
        vault.Mode = mode;
        try
        {
            return await app.Get<SigningKeyRing>().RefreshAsync(default);
        }
        finally
        {
            vault.Mode = VaultMode.Normal;
        }
    }

    private static string Credentials(string user) => $$"""{"username":"{{user}}","password":"{{Password}}"}""";

    private static async Task RegisterAsync(TestServices app, string user) =>
        Assert.Equal(HttpStatusCode.Created, (await new Register(app.Accounts, app.Get<JwtFunctions.Accounts.LoginThrottle>()).Run(FakeHttpRequest.Json("POST", Credentials(user)), default)).StatusCode);

    private static Task<HttpResponseData> LoginAsync(TestServices app, string user) =>
        new Login(app.Accounts, app.Get<JwtFunctions.Accounts.LoginThrottle>()).Run(FakeHttpRequest.Json("POST", Credentials(user)), default);

    private static async Task<(HttpStatusCode Code, string Body)> HealthAsync(TestServices app)
    {
        var response = await new Health(app.Get<HealthProbe>(), app.Get<BearerAuthenticator>()).Run(new FakeHttpRequest(new FakeFunctionContext(), "GET"), default);
        return (response.StatusCode, JsonOf(response).GetRawText());
    }

    private static async Task<JsonElement> HealthDetailsAsync(TestServices app, string accessToken)
    {
        var request = new FakeHttpRequest(new FakeFunctionContext(), "GET", headers: ("Authorization", "Bearer " + accessToken));
        var response = await new Health(app.Get<HealthProbe>(), app.Get<BearerAuthenticator>()).Run(request, default);
        var body = JsonOf(response);
        Assert.True(body.TryGetProperty("signing_keys", out _), $"no details for the access token ({(await app.AuthenticateAsync(accessToken)).Failure}): {body.GetRawText()}");
        return body;
    }

    private static Task AssertTemporarilyUnavailableAsync(HttpResponseData response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(ApiResponses.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(response, "Retry-After"));
        var body = JsonOf(response);
        Assert.Equal("temporarily_unavailable", body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error_description").GetString()));
        return Task.CompletedTask;
    }
}
