using System.Net;
using System.Security.Cryptography;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// The worker starts while Key Vault denies it (403: health names the refusal), then while the vault is unreachable: with no
/// local key configured, the token endpoints answer 503 <c>temporarily_unavailable</c> with
/// Retry-After, nothing is issued, health is 503; once the vault answers, the background refresh
/// loads the key and login works, without a restart.
/// </summary>
public sealed class KeyVaultColdStartTests(ITestOutputHelper output)
{
    private readonly DependencyObservations _observed = new(output);

    [Fact]
    public async Task TokenEndpointsAnswer503UntilTheVaultAnswersThenRecoverWithoutARestart()
    {
        var log = new TestLog();
        log.Attach(output);
        try
        {
            await using var app = await KeyVaultApp.StartAsync(log, a => a.Vault.Mode = VaultMode.Forbidden);
            _observed.Mark("worker started; Key Vault answers 403 to its managed identity");

            // Registration needs storage only; it gives the login below a real user to refuse.
            var username = KeyVaultApp.NewUsername();
            using (var register = await _observed.RecordAsync("register", app.PostJsonAsync("api/v1.0/register", new { username, password = KeyVaultApp.Password })))
            {
                Assert.Equal(HttpStatusCode.Created, register.StatusCode);
            }

            await AssertNothingIsIssuedAsync(app, username, "403", "Health unhealthy: signing keys access-denied (key-vault), storage ok, not issuing");
            Assert.True(app.Vault.TokenRequests > 0, "the worker never got a managed-identity token, so the vault never saw an authenticated (denied) request");

            // Now the vault is not denying but unreachable.
            app.Vault.Mode = VaultMode.Normal;
            var refusedBefore = app.Proxy.Refused;
            app.Proxy.Down = true;
            _observed.Mark("Key Vault unreachable (proxy answers CONNECT with 502)");
            await KeyVaultApp.WaitUntilAsync("a refresh attempt through the proxy", TimeSpan.FromSeconds(20),
                () => Task.FromResult(app.Proxy.Refused > refusedBefore));
            // No read has succeeded since the refusal, so health still names it (no new health line:
            // it is logged on change); each failed refresh logs that the vault could not be reached.
            await KeyVaultApp.WaitUntilAsync("a failed refresh logged", TimeSpan.FromSeconds(40),
                () => Task.FromResult(app.Log.Tail(400).Contains("Signing key source key-vault could not be reached", StringComparison.Ordinal)));
            await AssertNothingIsIssuedAsync(app, username, "unreachable", "Signing key source key-vault could not be reached");

            // The vault answers again: the app recovers by itself.
            app.Proxy.Down = false;
            _observed.Mark("Key Vault reachable and allowing");
            var recoveredAfter = await KeyVaultApp.WaitUntilAsync("health 200", TimeSpan.FromSeconds(30),
                async () => (await app.HealthAsync()).Code == HttpStatusCode.OK);
            var health = await app.HealthAsync();
            _observed.Note($"health -> {(int)health.Code} {health.Body} ({recoveredAfter.TotalSeconds:0.0} s after the vault came back)");

            IssuedTokens tokens;
            using (var login = await _observed.RecordAsync("login", app.LoginAsync(username)))
            {
                Assert.Equal(HttpStatusCode.OK, login.StatusCode);
                tokens = await KeyVaultApp.ReadTokensAsync(login);
            }

            Assert.Equal(app.KeyIds[0], tokens.AccessKeyId);
            using (var protectedCall = await _observed.RecordAsync("protected", app.ProtectedAsync(tokens.Access)))
            {
                Assert.Equal(HttpStatusCode.OK, protectedCall.StatusCode);
            }

            using (var refresh = await _observed.RecordAsync("refresh", app.RefreshAsync(tokens.Refresh)))
            {
                Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
            }
        }
        finally
        {
            log.Attach(null);
        }
    }

    private async Task AssertNothingIsIssuedAsync(KeyVaultApp app, string username, string vaultState, string logLine)
    {
        using (var login = await _observed.RecordAsync($"login (vault {vaultState})", app.LoginAsync(username)))
        {
            await DependencyObservations.AssertTemporarilyUnavailableAsync(login);
        }

        // Tokens naming the vault's real key version, signed with some other key: without a key
        // the app can neither accept nor refuse them on their merits, so it must say 503.
        var someKey = RandomNumberGenerator.GetBytes(32);
        var refreshToken = TokenForge.Create(someKey, typ: "rt+jwt", keyId: app.KeyIds[0], subject: username);
        using (var refresh = await _observed.RecordAsync($"refresh (vault {vaultState})", app.RefreshAsync(refreshToken)))
        {
            await DependencyObservations.AssertTemporarilyUnavailableAsync(refresh);
        }

        var accessToken = TokenForge.Create(someKey, keyId: app.KeyIds[0], subject: username);
        using (var protectedCall = await _observed.RecordAsync($"protected (vault {vaultState})", app.ProtectedAsync(accessToken)))
        {
            await DependencyObservations.AssertTemporarilyUnavailableAsync(protectedCall);
        }

        var health = await app.HealthAsync();
        _observed.Note($"health -> {(int)health.Code} {health.Body}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.Code);
        // The public answer is the status alone; which dependency is down goes to the log.
        Assert.Equal("{\"status\":\"unhealthy\"}", health.Body);
        // The worker's log reaches the test through the host, possibly after the response.
        await KeyVaultApp.WaitUntilAsync($"the log line \"{logLine}\"", TimeSpan.FromSeconds(10),
            () => Task.FromResult(app.Log.Tail(400).Contains(logLine, StringComparison.Ordinal)));
    }
}
