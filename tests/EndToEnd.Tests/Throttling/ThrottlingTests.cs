using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace JwtFunctions.EndToEnd.Tests.Throttling;

/// <summary>
/// Password attempts are counted per source address and per username across instances, and
/// refused over the limit with 429 JSON and <c>Retry-After</c>, before any password is checked.
/// The source is what the host forwards (README, "Throttling"): a header the client sends does not change it.
/// </summary>
[Collection(ThrottledInstancesCollection.Name)]
public sealed class ThrottlingTests : IDisposable
{
    private const string Json = "application/json";
    private const string NotThePassword = "not the right password";
    private readonly ThrottledInstancesFixture _app;
    private readonly List<HttpClient> _clients = [];

    public ThrottlingTests(ThrottledInstancesFixture app, ITestOutputHelper output)
    {
        _app = app;
        _app.Log.Attach(output);
    }

    private HttpClient From(IPAddress source, int instance)
    {
        var client = _app.ClientFrom(source, instance);
        _clients.Add(client);
        return client;
    }

    private static HttpContent Body(object value) => FunctionsAppFixture.SizedJson(value);

    /// <summary>
    /// For every endpoint that takes a password: the attempts within the limits get their usual
    /// answer (alternating between the two instances), the next one 429 with a JSON error and
    /// <c>Retry-After</c> in whole seconds within the one-minute window. Password change is
    /// refused by the per-username limit (its login counted one attempt on the user).
    /// </summary>
    [Theory]
    [InlineData("register", ThrottledInstancesFixture.PerSourceLimit, 201)]
    [InlineData("login", ThrottledInstancesFixture.PerSourceLimit, 401)]
    [InlineData("password", ThrottledInstancesFixture.PerUsernameLimit - 1, 400)]
    public async Task EveryEndpointThatTakesAPasswordAnswers429AsJsonWithRetryAfterOverTheLimit(string endpoint, int allowed, int usualStatus)
    {
        var source = ThrottledInstancesFixture.NewSource();
        string? access = null;
        if (endpoint == "password")
        {
            var username = FunctionsAppFixture.NewUsername();
            using var registered = await From(source, 0).PostAsync("api/v1.0/register", Body(new { username, password = FunctionsAppFixture.Password }));
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            using var login = await From(source, 1).PostAsync("api/v1.0/login", Body(new { username, password = FunctionsAppFixture.Password }));
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            access = (await SessionTests.Json(login)).GetProperty("access_token").GetString();
        }

        async Task<HttpResponseMessage> AttemptAsync(int i)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1.0/" + endpoint)
            {
                Content = endpoint switch
                {
                    "register" => Body(new { username = FunctionsAppFixture.NewUsername(), password = FunctionsAppFixture.Password }),
                    "login" => Body(new { username = FunctionsAppFixture.NewUsername(), password = NotThePassword }),
                    _ => Body(new { current_password = NotThePassword, new_password = "a different long passphrase" }),
                },
            };
            if (access is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
            }

            return await From(source, i).SendAsync(request);
        }

        for (var i = 0; i < allowed; i++)
        {
            using var response = await AttemptAsync(i);
            Assert.Equal(usualStatus, (int)response.StatusCode);
        }

        using var throttled = await AttemptAsync(allowed);
        await AssertThrottledAsync(throttled);
    }

    [Fact]
    public async Task AnotherSourceKeepsItsOwnBudget()
    {
        var source = ThrottledInstancesFixture.NewSource();
        for (var i = 0; i <= ThrottledInstancesFixture.PerSourceLimit; i++)
        {
            using var _ = await From(source, i).PostAsync("api/v1.0/login", Body(new { username = FunctionsAppFixture.NewUsername(), password = NotThePassword }));
        }

        using var same = await From(source, 0).PostAsync("api/v1.0/login", Body(new { username = FunctionsAppFixture.NewUsername(), password = NotThePassword }));
        await AssertThrottledAsync(same);
        using var other = await From(ThrottledInstancesFixture.NewSource(), 0).PostAsync("api/v1.0/login", Body(new { username = FunctionsAppFixture.NewUsername(), password = NotThePassword }));
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
    }

    /// <summary>
    /// Headers a client could send to claim another address (X-Forwarded-For, RFC 7239 Forwarded,
    /// App Service's X-Client-IP and CLIENT-IP, Front Door's X-Azure-ClientIP) do not give it a new
    /// budget: the host replaces X-Forwarded-For with the address it saw, and the app reads only that.
    /// </summary>
    [Fact]
    public async Task ForgedForwardingHeadersDoNotEscapeTheSourceLimit()
    {
        var source = ThrottledInstancesFixture.NewSource();
        for (var i = 0; i < ThrottledInstancesFixture.PerSourceLimit; i++)
        {
            using var _ = await From(source, i).PostAsync("api/v1.0/login", Body(new { username = FunctionsAppFixture.NewUsername(), password = NotThePassword }));
        }

        using var forged = new HttpRequestMessage(HttpMethod.Post, "api/v1.0/login")
        {
            Content = Body(new { username = FunctionsAppFixture.NewUsername(), password = NotThePassword }),
        };
        forged.Headers.TryAddWithoutValidation("X-Forwarded-For", "198.51.100.23");
        forged.Headers.TryAddWithoutValidation("Forwarded", "for=198.51.100.23");
        forged.Headers.TryAddWithoutValidation("X-Client-IP", "198.51.100.23");
        forged.Headers.TryAddWithoutValidation("CLIENT-IP", "198.51.100.23:4711");
        forged.Headers.TryAddWithoutValidation("X-Azure-ClientIP", "198.51.100.23");
        forged.Headers.TryAddWithoutValidation("X-Real-IP", "198.51.100.23");
        using var response = await From(source, 1).SendAsync(forged);

        await AssertThrottledAsync(response);
    }

    /// <summary>
    /// The username limit holds whatever the source, and the refused attempt checks no password:
    /// the account's lock-out counter stays at the failures counted before it.
    /// </summary>
    [Fact]
    public async Task TheUsernameLimitHoldsAcrossSourcesAndARefusedAttemptChecksNoPassword()
    {
        var username = FunctionsAppFixture.NewUsername();
        using (var registered = await From(ThrottledInstancesFixture.NewSource(), 0).PostAsync("api/v1.0/register", Body(new { username, password = FunctionsAppFixture.Password })))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }

        for (var i = 0; i < ThrottledInstancesFixture.PerUsernameLimit; i++)
        {
            using var wrong = await From(ThrottledInstancesFixture.NewSource(), i).PostAsync("api/v1.0/login", Body(new { username, password = NotThePassword }));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var right = await From(ThrottledInstancesFixture.NewSource(), 1).PostAsync("api/v1.0/login", Body(new { username, password = FunctionsAppFixture.Password }));

        await AssertThrottledAsync(right);
        var lockout = await StoredState.ReadAsync(_app.StorageConnectionString, "Users", username.ToLowerInvariant(), "lockout");
        Assert.Equal(ThrottledInstancesFixture.PerUsernameLimit, lockout!.GetInt32("Failures"));
    }

    private static async Task AssertThrottledAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.TooManyRequests, $"expected 429, got {(int)response.StatusCode} {text}");
        Assert.Equal(Json, response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(text);
        Assert.Equal("too_many_requests", body.RootElement.GetProperty("error").GetString());
        Assert.Equal("Too many password attempts; try again after the Retry-After delay", body.RootElement.GetProperty("error_description").GetString());
        var retryAfter = Assert.Single(response.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.False(response.Headers.Contains("WWW-Authenticate"));
    }

    public void Dispose()
    {
        _app.Log.Attach(null);
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
