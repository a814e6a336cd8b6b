using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// Races through the real worker: requests released together from a barrier, answers and stored
/// state checked afterwards. Loads are bounded (at most 50 requests in flight).
/// </summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class ConcurrencyTests(FunctionsAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output)
{
    private const string SpentOrRevoked = "Bearer error=\"invalid_token\", error_description=\"The refresh token is invalid, spent or revoked\"";

    [Fact]
    public async Task FiftyParallelRefreshesOfOneRefreshTokenYieldExactlyOneNewPair()
    {
        const int parallel = 50;
        var (username, tokens) = await App.NewSessionAsync();

        var answers = await RaceAsync(parallel, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "api/v1.0/refresh");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Refresh);
            return request;
        });

        App.Log.Write($"{parallel} parallel refreshes: {string.Join(", ", answers.GroupBy(a => a.Status).Select(g => $"{g.Count()} x {(int)g.Key}"))}");
        Assert.Single(answers, a => a.Status == HttpStatusCode.OK);
        var refused = answers.Where(a => a.Status != HttpStatusCode.OK).ToList();
        Assert.Equal(parallel - 1, refused.Count);
        Assert.All(refused, a =>
        {
            Assert.Equal(HttpStatusCode.Unauthorized, a.Status);
            Assert.Equal(SpentOrRevoked, a.Challenge);
            Assert.Contains("\"invalid_grant\"", a.Body);
        });

        // Stored: the presented token is spent with exactly one successor.
        var user = username.ToLowerInvariant();
        var jti = TokenForge.DecodePayload(tokens.Refresh).GetProperty("jti").GetString();
        var spent = await StoredState.ReadAsync(App.StorageConnectionString, "RefreshTokens", user, "t_" + jti);
        Assert.NotNull(spent);
        Assert.Equal("spent", spent!.GetString("State"), StringComparer.OrdinalIgnoreCase);
        Assert.False(string.IsNullOrEmpty(spent.GetString("Successor")));

        // 49 other uses of one refresh token are reuse (RFC 9700 §4.14.2): the session is over,
        // the winner's new tokens included.
        var family = await StoredState.ReadAsync(App.StorageConnectionString, "RefreshTokens", user, "f_" + TokenForge.DecodePayload(tokens.Refresh).GetProperty("sid").GetString());
        Assert.True(family!.GetBoolean("Revoked"));
        Assert.Equal("reuse", family.GetString("RevokedReason"));
        var winner = JsonDocument.Parse(answers.Single(a => a.Status == HttpStatusCode.OK).Body).RootElement;
        using var successor = await SendWithBearerAsync(HttpMethod.Post, "api/v1.0/refresh", winner.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.Unauthorized, successor.StatusCode);
        using var access = await SendWithBearerAsync(HttpMethod.Get, "api/v1.0/protected", winner.GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.Unauthorized, access.StatusCode);
    }

    private Task<HttpResponseMessage> SendWithBearerAsync(HttpMethod method, string path, string token)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return Client.SendAsync(request);
    }

    [Fact]
    public async Task TwentyParallelWrongPasswordsAreCountedExactlyOneLockoutAndThenTheRightPasswordIsRefused()
    {
        const int parallel = 20;
        var username = FunctionsAppFixture.NewUsername();
        await App.RegisterAsync(username);

        var answers = await RaceAsync(parallel, () => new HttpRequestMessage(HttpMethod.Post, "api/v1.0/login")
        {
            Content = JsonContent.Create(new { username, password = "not the right password" }),
        });

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Unauthorized, a.Status));
        var lockout = await StoredState.ReadAsync(App.StorageConnectionString, "Users", username.ToLowerInvariant(), "lockout");
        Assert.NotNull(lockout);
        App.Log.Write($"after {parallel} parallel wrong passwords: Lockouts={lockout!.GetInt32("Lockouts")} Failures={lockout.GetInt32("Failures")} LockedUntil={lockout.GetDateTimeOffset("LockedUntil"):O}");

        // The first five counted lock the account (and reset the window's count); the fifteen
        // others either found it locked or retried on top of a newer count and then found it locked.
        Assert.Equal(1, lockout.GetInt32("Lockouts"));
        Assert.Equal(0, lockout.GetInt32("Failures"));
        var lockedFor = lockout.GetDateTimeOffset("LockedUntil")!.Value - DateTimeOffset.UtcNow;
        Assert.InRange(lockedFor, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));

        using var right = await Client.PostAsJsonAsync("api/v1.0/login", new { username, password = FunctionsAppFixture.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);
        Assert.Equal("invalid_grant", (await SessionTests.Json(right)).GetProperty("error").GetString());
        Assert.Equal("Bearer", SessionTests.Challenge(right));
    }

    [Fact]
    public async Task FourParallelWrongPasswordsAreAllCountedAndTheRightPasswordStillWorks()
    {
        // Below the threshold no failure may be lost to the race: Failures == 4, no lock-out.
        const int parallel = 4;
        var username = FunctionsAppFixture.NewUsername();
        await App.RegisterAsync(username);

        var answers = await RaceAsync(parallel, () => new HttpRequestMessage(HttpMethod.Post, "api/v1.0/login")
        {
            Content = JsonContent.Create(new { username, password = "not the right password" }),
        });

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Unauthorized, a.Status));
        var lockout = await StoredState.ReadAsync(App.StorageConnectionString, "Users", username.ToLowerInvariant(), "lockout");
        Assert.Equal(parallel, lockout!.GetInt32("Failures"));
        Assert.Equal(0, lockout.GetInt32("Lockouts"));
        Assert.Null(lockout.GetDateTimeOffset("LockedUntil"));

        Assert.NotEmpty((await App.LoginAsync(username)).Access);
    }

    private async Task<IReadOnlyList<Answer>> RaceAsync(int parallel, Func<HttpRequestMessage> create)
    {
        using var start = new Barrier(parallel);
        var tasks = Enumerable.Range(0, parallel).Select(_ => Task.Factory.StartNew(async () =>
        {
            using var request = create();
            start.SignalAndWait(TimeSpan.FromSeconds(30));
            using var response = await Client.SendAsync(request);
            return new Answer(response.StatusCode, SessionTests.Challenge(response), await response.Content.ReadAsStringAsync());
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()).ToList();
        return await Task.WhenAll(tasks);
    }

    private sealed record Answer(HttpStatusCode Status, string? Challenge, string Body);
}
