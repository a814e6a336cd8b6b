using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace JwtFunctions.EndToEnd.Tests.TwoInstances;

/// <summary>Requests alternate between two instances that share only the storage account.</summary>
[Collection(TwoInstancesCollection.Name)]
public sealed class TwoInstancesTests : IDisposable
{
    private readonly TwoInstancesFixture _app;
    private readonly ITestOutputHelper _output;

    public TwoInstancesTests(TwoInstancesFixture app, ITestOutputHelper output)
    {
        _app = app;
        _output = output;
        _app.Log.Attach(output);
    }

    private HttpClient Instance(int i) => _app.Clients[i % 2];

    [Fact]
    public async Task ALockoutIsCountedAcrossBothInstances()
    {
        // Threshold 5 (Accounts:LockoutThreshold default): three failures on one instance and two
        // on the other lock the account on both, because the count lives in the Users table.
        var username = FunctionsAppFixture.NewUsername();
        await _app.RegisterAsync(Instance(0), username);
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await Instance(i).PostAsJsonAsync("api/v1.0/login", new { username, password = "not the right password" });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        var lockout = await StoredState.ReadAsync(_app.StorageConnectionString, "Users", username.ToLowerInvariant(), "lockout");
        Assert.Equal(1, lockout!.GetInt32("Lockouts"));
        for (var i = 0; i < 2; i++)
        {
            using var right = await Instance(i).PostAsJsonAsync("api/v1.0/login", new { username, password = TwoInstancesFixture.Password });
            Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);
            Assert.Equal("invalid_grant", (await SessionTests.Json(right)).GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task FiftyParallelRefreshesOfOneTokenSplitAcrossBothInstancesYieldExactlyOneNewPair()
    {
        const int parallel = 50;
        var username = FunctionsAppFixture.NewUsername();
        await _app.RegisterAsync(Instance(0), username);
        var tokens = await _app.LoginAsync(Instance(1), username);

        using var start = new Barrier(parallel);
        var answers = await Task.WhenAll(Enumerable.Range(0, parallel).Select(i => Task.Factory.StartNew(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1.0/refresh");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Refresh);
            start.SignalAndWait(TimeSpan.FromSeconds(30));
            using var response = await Instance(i).SendAsync(request);
            return (Instance: i % 2, response.StatusCode);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()));

        _output.WriteLine(string.Join(", ", answers.GroupBy(a => (a.Instance, a.StatusCode)).Select(g => $"instance {g.Key.Instance}: {g.Count()} x {(int)g.Key.StatusCode}")));
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.Equal(parallel - 1, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(parallel / 2, answers.Count(a => a.Instance == 0));
    }

    [Fact]
    public async Task ALogoutOnOneInstanceIsRefusedOnTheOtherWithinTheRevocationInterval()
    {
        var username = FunctionsAppFixture.NewUsername();
        await _app.RegisterAsync(Instance(0), username);
        var tokens = await _app.LoginAsync(Instance(0), username);
        Assert.Equal(HttpStatusCode.OK, await ProtectedAsync(Instance(1), tokens.Access));

        using (var logout = new HttpRequestMessage(HttpMethod.Post, "api/v1.0/logout"))
        {
            logout.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Access);
            using var response = await Instance(0).SendAsync(logout);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var loggedOut = Stopwatch.StartNew();
        // The instance that logged out refuses at once (its own list is updated in place).
        Assert.Equal(HttpStatusCode.Unauthorized, await ProtectedAsync(Instance(0), tokens.Access));

        // The other refuses from its next reload of the revocation table: within the interval,
        // plus the reload's own time. Polled, so the test takes only as long as that.
        var bound = TwoInstancesFixture.RevocationInterval + TimeSpan.FromSeconds(2);
        HttpStatusCode last;
        while ((last = await ProtectedAsync(Instance(1), tokens.Access)) == HttpStatusCode.OK && loggedOut.Elapsed < bound + TimeSpan.FromSeconds(5))
        {
            await Task.Delay(50);
        }

        _output.WriteLine($"instance 1 refused the logged-out token {loggedOut.ElapsedMilliseconds} ms after the logout (interval {TwoInstancesFixture.RevocationInterval.TotalMilliseconds:0} ms)");
        Assert.Equal(HttpStatusCode.Unauthorized, last);
        Assert.True(loggedOut.Elapsed <= bound, $"refused after {loggedOut.Elapsed}, bound {bound}");
    }

    [Fact]
    public async Task ARoleRemovedOnOneInstanceRefusesTheOlderTokenThereAtOnceAndOnTheOtherAfterItsReload()
    {
        var username = FunctionsAppFixture.NewUsername();
        await _app.RegisterAsync(Instance(0), username);
        var admin = Admin.AdminApi.AdminToken(_app.SigningKey);
        using (var grant = await Admin.AdminApi.SendAsync(Instance(0), HttpMethod.Put, $"api/v1.0/admin/users/{username}/roles", admin, """{"roles":["ops"]}"""))
        {
            Assert.Equal(HttpStatusCode.NoContent, grant.StatusCode);
        }

        var tokens = await _app.LoginAsync(Instance(1), username);
        Assert.Equal(["ops"], Admin.AdminApi.Roles(await Admin.AdminApi.MeAsync(Instance(1), tokens.Access)));

        using (var remove = await Admin.AdminApi.SendAsync(Instance(0), HttpMethod.Put, $"api/v1.0/admin/users/{username}/roles", admin, """{"roles":[]}"""))
        {
            Assert.Equal(HttpStatusCode.NoContent, remove.StatusCode);
        }

        var removed = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Unauthorized, await ProtectedAsync(Instance(0), tokens.Access));

        // The other instance refuses from its next reload of the revocation table (interval
        // RevocationInterval). Polled with a generous cap; the time taken is reported, not asserted.
        HttpStatusCode last;
        while ((last = await ProtectedAsync(Instance(1), tokens.Access)) == HttpStatusCode.OK && removed.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50);
        }

        _output.WriteLine($"instance 1 refused the older token {removed.ElapsedMilliseconds} ms after the role was removed (interval {TwoInstancesFixture.RevocationInterval.TotalMilliseconds:0} ms)");
        Assert.Equal(HttpStatusCode.Unauthorized, last);
    }

    private static async Task<HttpStatusCode> ProtectedAsync(HttpClient client, string access)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1.0/protected");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    public void Dispose() => _app.Log.Attach(null);
}
