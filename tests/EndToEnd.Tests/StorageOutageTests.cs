using System.Net;
using System.Text.Json;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// Table Storage goes away mid-test (Azurite, persistent on disk, is stopped, then started again on
/// the same port with its data): login and refresh answer 503 <c>temporarily_unavailable</c> with
/// Retry-After, never 500; the stateless protected call keeps answering 200 from the cached
/// revocation list, even after a reload of that list failed; and no refresh token is lost or
/// double-spent: a refresh refused during the outage did not rotate, so the same token works
/// once after recovery and is reuse the second time.
/// </summary>
[Collection(KeyVaultAppCollection.Name)]
public sealed class StorageOutageTests : IDisposable
{
    private readonly KeyVaultAppFixture _fixture;
    private readonly DependencyObservations _observed;

    public StorageOutageTests(KeyVaultAppFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _fixture.Log.Attach(output);
        _observed = new DependencyObservations(output);
    }

    private KeyVaultApp App => _fixture.App;

    [Fact]
    public async Task TokenEndpointsAnswer503ProtectedKeepsWorkingAndNoRefreshTokenIsLostOrSpentTwice()
    {
        var (username, tokens) = await App.NewSessionAsync();
        using (var warm = await App.ProtectedAsync(tokens.Access))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var outageStart = DateTime.UtcNow;
        await App.Azurite.StopAsync();
        _observed.Mark("Azurite stopped");
        try
        {
            using (var protectedCall = await _observed.RecordAsync("protected", App.ProtectedAsync(tokens.Access)))
            {
                Assert.Equal(HttpStatusCode.OK, protectedCall.StatusCode);
            }

            using (var login = await _observed.RecordAsync("login", App.LoginAsync(username)))
            {
                await DependencyObservations.AssertTemporarilyUnavailableAsync(login);
            }

            using (var refresh = await _observed.RecordAsync("refresh", App.RefreshAsync(tokens.Refresh)))
            {
                await DependencyObservations.AssertTemporarilyUnavailableAsync(refresh);
            }

            var health = await App.HealthAsync();
            _observed.Note($"health -> {(int)health.Code} {health.Body}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.Code);
            // The public answer is the status; the log says which dependency.
            await KeyVaultApp.WaitUntilAsync("the health log line", TimeSpan.FromSeconds(10),
                () => Task.FromResult(App.Log.Tail(400).Contains("storage unavailable", StringComparison.Ordinal)));

            // The revocation list reload fails in the background; the cached copy keeps serving.
            var reloadFailedAfter = await KeyVaultApp.WaitUntilAsync("a failed revocation list reload", TimeSpan.FromSeconds(20),
                () => Task.FromResult(App.RevocationReloadFailuresSince(outageStart) > 0));
            _observed.Note($"revocation list reload failed (logged), {reloadFailedAfter.TotalSeconds:0.0} s after the checks above");
            using (var protectedCall = await _observed.RecordAsync("protected after a failed revocation reload", App.ProtectedAsync(tokens.Access)))
            {
                Assert.Equal(HttpStatusCode.OK, protectedCall.StatusCode);
            }

            // A second refresh attempt during the outage: still 503, still not spent.
            using (var refresh = await _observed.RecordAsync("refresh (again)", App.RefreshAsync(tokens.Refresh)))
            {
                await DependencyObservations.AssertTemporarilyUnavailableAsync(refresh);
            }
        }
        finally
        {
            await App.Azurite.StartAgainAsync();
        }

        _observed.Mark($"Azurite started again on port {App.Azurite.TablePort} with its data folder");
        var recoveredAfter = await KeyVaultApp.WaitUntilAsync("health 200 after storage returned", TimeSpan.FromSeconds(30),
            async () => (await App.HealthAsync()).Code == HttpStatusCode.OK);
        _observed.Note($"health -> 200 after {recoveredAfter.TotalSeconds:0.0} s");

        using (var refresh = await _observed.RecordAsync("refresh with the token refused during the outage", App.RefreshAsync(tokens.Refresh)))
        {
            Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        }

        using (var reuse = await _observed.RecordAsync("refresh with the same token again (reuse)", App.RefreshAsync(tokens.Refresh)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, reuse.StatusCode);
            using var body = JsonDocument.Parse(await reuse.Content.ReadAsStringAsync());
            Assert.Equal("invalid_grant", body.RootElement.GetProperty("error").GetString());
        }

        // The user written before the outage survived the restart.
        using (var login = await _observed.RecordAsync("login after recovery", App.LoginAsync(username)))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }
    }

    public void Dispose() => _fixture.Log.Attach(null);
}
