using System.Net;
using System.Text.Json;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// The vault starts refusing the worker's managed identity (403) after warm-up. With the default
/// grace (1 hour) the cached keys keep issuing and health says "degraded" with
/// <c>signing_keys: access-denied</c> and when issuing stops; with <c>SigningKeys__AccessDeniedGracePeriod=00:00:00</c>
/// issuing stops at the first refusal: login and refresh answer 503 <c>temporarily_unavailable</c>
/// with Retry-After, tokens issued before are still accepted, health is 503 and tells an
/// authenticated caller why. Access granted again, the app recovers by itself.
/// </summary>
[Collection(KeyVaultAppCollection.Name)]
public sealed class KeyVaultAccessDeniedTests(KeyVaultAppFixture fixture, ITestOutputHelper output)
{
    private readonly DependencyObservations _observed = new(output);

    [Fact]
    public async Task WithinTheGraceTheCachedKeysKeepIssuingAndHealthSaysAccessDenied()
    {
        var app = fixture.App;
        fixture.Log.Attach(output);
        try
        {
            var (username, before) = await app.NewSessionAsync();

            app.Vault.Mode = VaultMode.Forbidden;
            _observed.Mark("Key Vault answers 403 to the worker's identity (default grace: 1 hour)");
            await KeyVaultApp.WaitUntilAsync("health details \"access-denied\"", TimeSpan.FromSeconds(40),
                async () => Details(await app.HealthAsync(before.Access)).SigningKeys == "access-denied");
            var health = await app.HealthAsync(before.Access);
            _observed.Note($"health (authenticated) -> {(int)health.Code} {health.Body}");
            Assert.Equal((HttpStatusCode.OK, "degraded"), (health.Code, health.Status));
            var details = Details(health);
            Assert.True(details.Issuing);
            Assert.True(details.IssuingStopsAt > DateTimeOffset.UtcNow, $"issuing_stops_at should lie ahead: {health.Body}");

            using (var login = await _observed.RecordAsync("login within the grace", app.LoginAsync(username)))
            {
                Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            }

            Assert.Equal("{\"status\":\"degraded\"}", (await app.HealthAsync()).Body);
        }
        finally
        {
            // The next test of the collection expects a healthy app: wait for the refresh that sees access again.
            app.Vault.Mode = VaultMode.Normal;
            await KeyVaultApp.WaitUntilAsync("health \"healthy\" again", TimeSpan.FromSeconds(40),
                async () => (await app.HealthAsync()).Status == "healthy");
            fixture.Log.Attach(null);
        }
    }

    [Fact]
    public async Task AfterTheGraceLoginAndRefreshAnswer503IssuedTokensStillWorkAndAccessRestoredRecovers()
    {
        var log = new TestLog();
        log.Attach(output);
        try
        {
            await using var app = await KeyVaultApp.StartHealthyAsync(log, "health 200 with keys from the vault",
                KeyVaultApp.StartAsync(log, a => a.ExtraSettings["SigningKeys__AccessDeniedGracePeriod"] = "00:00:00"));
            var (username, before) = await app.NewSessionAsync();

            app.Vault.Mode = VaultMode.Forbidden;
            _observed.Mark("Key Vault answers 403 to the worker's identity (grace 00:00:00)");
            var stoppedAfter = await KeyVaultApp.WaitUntilAsync("health 503", TimeSpan.FromSeconds(40),
                async () => (await app.HealthAsync()).Code == HttpStatusCode.ServiceUnavailable);
            _observed.Note($"health 503 {stoppedAfter.TotalSeconds:0.0} s after the vault began refusing");

            using (var login = await _observed.RecordAsync("login", app.LoginAsync(username)))
            {
                await DependencyObservations.AssertTemporarilyUnavailableAsync(login);
            }

            using (var refresh = await _observed.RecordAsync("refresh", app.RefreshAsync(before.Refresh)))
            {
                await DependencyObservations.AssertTemporarilyUnavailableAsync(refresh);
            }

            using (var protectedCall = await _observed.RecordAsync("protected (token from before)", app.ProtectedAsync(before.Access)))
            {
                Assert.Equal(HttpStatusCode.OK, protectedCall.StatusCode);
            }

            Assert.Equal("{\"status\":\"unhealthy\"}", (await app.HealthAsync()).Body);
            var health = await app.HealthAsync(before.Access);
            _observed.Note($"health (authenticated) -> {(int)health.Code} {health.Body}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.Code);
            var details = Details(health);
            Assert.Equal(("unhealthy", "access-denied", false, "ok"), (health.Status, details.SigningKeys, details.Issuing, details.Storage));
            Assert.Contains("No token is issued: signing key source key-vault has refused access", app.Log.Tail(400), StringComparison.Ordinal);

            app.Vault.Mode = VaultMode.Normal;
            _observed.Mark("Key Vault allows the worker again");
            await KeyVaultApp.WaitUntilAsync("health 200", TimeSpan.FromSeconds(40),
                async () => (await app.HealthAsync()).Code == HttpStatusCode.OK);
            using (var login = await _observed.RecordAsync("login after access is restored", app.LoginAsync(username)))
            {
                Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            }
        }
        finally
        {
            log.Attach(null);
        }
    }

    private static (string? SigningKeys, bool Issuing, DateTimeOffset? IssuingStopsAt, string? Storage) Details((HttpStatusCode Code, string Status, string Body) health)
    {
        using var body = JsonDocument.Parse(health.Body);
        var root = body.RootElement;
        return (
            root.TryGetProperty("signing_keys", out var keys) ? keys.GetString() : null,
            root.TryGetProperty("issuing", out var issuing) && issuing.GetBoolean(),
            root.TryGetProperty("issuing_stops_at", out var stops) ? stops.GetDateTimeOffset() : null,
            root.TryGetProperty("storage", out var storage) ? storage.GetString() : null);
    }
}
