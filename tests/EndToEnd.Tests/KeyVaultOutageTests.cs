using System.Net;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// Key Vault becomes unreachable after warm-up (the proxy cuts the tunnel and refuses new ones):
/// the worker keeps issuing and validating with the keys it cached, health says "degraded", the
/// background refresh retries with backoff (1 s, 2 s, 4 s ...) and the app recovers by itself
/// when the vault is back, picking up a key version added meanwhile (a rotation), no restart.
/// </summary>
[Collection(KeyVaultAppCollection.Name)]
public sealed class KeyVaultOutageTests : IDisposable
{
    private readonly KeyVaultAppFixture _fixture;
    private readonly DependencyObservations _observed;

    public KeyVaultOutageTests(KeyVaultAppFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _fixture.Log.Attach(output);
        _observed = new DependencyObservations(output);
    }

    private KeyVaultApp App => _fixture.App;

    [Fact]
    public async Task CachedKeysKeepServingHealthDegradesRefreshBacksOffAndRecoversWithTheRotatedKey()
    {
        var (username, before) = await App.NewSessionAsync();
        var signingKid = before.AccessKeyId;
        Assert.Contains(signingKid, App.KeyIds);
        var health = await App.HealthAsync();
        Assert.Equal((HttpStatusCode.OK, "healthy"), (health.Code, health.Status));

        // The outage.
        var outageStart = DateTime.UtcNow;
        App.Proxy.Down = true;
        _observed.Mark("Key Vault unreachable (proxy cuts tunnels, answers CONNECT with 502)");

        using (var login = await _observed.RecordAsync("login", App.LoginAsync(username)))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }

        using (var protectedCall = await _observed.RecordAsync("protected (token from before)", App.ProtectedAsync(before.Access)))
        {
            Assert.Equal(HttpStatusCode.OK, protectedCall.StatusCode);
        }

        var degradedAfter = await KeyVaultApp.WaitUntilAsync("health \"degraded\"", TimeSpan.FromSeconds(30),
            async () => (await App.HealthAsync()).Status == "degraded");
        health = await App.HealthAsync();
        _observed.Note($"health -> {(int)health.Code} {health.Body} (degraded {degradedAfter.TotalSeconds:0.0} s after the vault went away)");
        Assert.Equal(HttpStatusCode.OK, health.Code);
        // The public answer is the status; the log says which dependency and why.
        await KeyVaultApp.WaitUntilAsync("the health log line", TimeSpan.FromSeconds(10),
            () => Task.FromResult(App.Log.Tail(400).Contains("Health degraded: signing keys cached", StringComparison.Ordinal)));

        // Degraded: issuing and validating go on with the cached key.
        IssuedTokens during;
        using (var login = await _observed.RecordAsync("login while degraded", App.LoginAsync(username)))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            during = await KeyVaultApp.ReadTokensAsync(login);
            Assert.Equal(signingKid, during.AccessKeyId);
        }

        using (var protectedCall = await _observed.RecordAsync("protected while degraded (new token)", App.ProtectedAsync(during.Access)))
        {
            Assert.Equal(HttpStatusCode.OK, protectedCall.StatusCode);
        }

        using (var protectedCall = await _observed.RecordAsync("protected while degraded (token from before)", App.ProtectedAsync(before.Access)))
        {
            Assert.Equal(HttpStatusCode.OK, protectedCall.StatusCode);
        }

        using (var refresh = await _observed.RecordAsync("refresh while degraded", App.RefreshAsync(during.Refresh)))
        {
            Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        }

        // Backoff: 1 s, 2 s, 4 s between failed attempts (the interval, 10 s, caps it).
        await KeyVaultApp.WaitUntilAsync("three failed key refreshes", TimeSpan.FromSeconds(40),
            () => Task.FromResult(App.KeyRetryDelaysSince(outageStart).Count >= 3));
        var delays = App.KeyRetryDelaysSince(outageStart);
        _observed.Note($"retry delays scheduled: {string.Join(", ", delays.Select(d => $"{d.TotalSeconds:0} s"))}");
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], delays.Take(3));
        Assert.All(delays, d => Assert.True(d <= KeyVaultApp.KeyRefreshInterval));
        health = await App.HealthAsync();
        Assert.Equal("degraded", health.Status);

        // A rotation while the vault is away, then the vault comes back: the next retry picks up
        // the new version, without a restart.
        var rotatedKid = App.AddKeyVersion();
        App.Proxy.Down = false;
        _observed.Mark($"Key Vault reachable again, with a new secret version {rotatedKid[^6..]}");
        var recoveredAfter = await KeyVaultApp.WaitUntilAsync("health \"healthy\" again", TimeSpan.FromSeconds(30),
            async () => (await App.HealthAsync()).Status == "healthy");
        health = await App.HealthAsync();
        _observed.Note($"health -> {(int)health.Code} {health.Body} (recovered {recoveredAfter.TotalSeconds:0.0} s after the vault came back)");
        Assert.Equal(HttpStatusCode.OK, health.Code);

        IssuedTokens after;
        using (var login = await _observed.RecordAsync("login after recovery", App.LoginAsync(username)))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            after = await KeyVaultApp.ReadTokensAsync(login);
        }

        _observed.Note($"kid before: ...{signingKid[^6..]}, after: ...{after.AccessKeyId[^6..]}");
        Assert.Equal(rotatedKid, after.AccessKeyId);
        using (var protectedCall = await _observed.RecordAsync("protected (new kid)", App.ProtectedAsync(after.Access)))
        {
            Assert.Equal(HttpStatusCode.OK, protectedCall.StatusCode);
        }

        using (var protectedCall = await _observed.RecordAsync("protected (old kid, issued before the outage)", App.ProtectedAsync(before.Access)))
        {
            Assert.Equal(HttpStatusCode.OK, protectedCall.StatusCode);
        }
    }

    public void Dispose()
    {
        App.Proxy.Down = false;
        _fixture.Log.Attach(null);
    }
}
