using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>The flask-jwt-extended tutorial's session over real HTTP: register, login, refresh, protected, logout, health.</summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class SessionTests(FunctionsAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output)
{
    [Fact]
    public async Task RegisterLoginRefreshProtectedWorksLikeTheFlaskJwtExtendedTutorialSession()
    {
        var username = "E2E." + FunctionsAppFixture.NewUsername();

        using (var register = await Client.PostAsJsonAsync("api/v1.0/register", new { username, password = FunctionsAppFixture.Password }))
        {
            Assert.Equal(HttpStatusCode.Created, register.StatusCode);
            Assert.Equal(username.ToLowerInvariant(), (await Json(register)).GetProperty("username").GetString());
        }

        // Login: the tutorial's token pair plus the OAuth fields.
        string access, refresh;
        using (var login = await Client.PostAsJsonAsync("api/v1.0/login", new { username, password = FunctionsAppFixture.Password }))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            Assert.Equal("application/json", login.Content.Headers.ContentType?.MediaType);
            Assert.Contains("no-store", login.Headers.CacheControl?.ToString());
            var body = await Json(login);
            access = body.GetProperty("access_token").GetString()!;
            refresh = body.GetProperty("refresh_token").GetString()!;
            Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
            Assert.True(body.GetProperty("expires_in").GetInt64() > 0);
        }

        AssertTokenShape(access, "at+jwt", username.ToLowerInvariant());
        AssertTokenShape(refresh, "rt+jwt", username.ToLowerInvariant());
        Assert.Equal(TokenForge.DecodePayload(access).GetProperty("sid").GetString(), TokenForge.DecodePayload(refresh).GetProperty("sid").GetString());

        // Refresh with the refresh token as Bearer (the tutorial's way): a new access AND refresh token.
        string newAccess, newRefresh;
        using (var refreshed = await Send(HttpMethod.Post, "api/v1.0/refresh", refresh))
        {
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
            var body = await Json(refreshed);
            newAccess = body.GetProperty("access_token").GetString()!;
            newRefresh = body.GetProperty("refresh_token").GetString()!;
        }

        Assert.NotEqual(access, newAccess);
        Assert.NotEqual(refresh, newRefresh);
        Assert.Equal(TokenForge.DecodePayload(refresh).GetProperty("sid").GetString(), TokenForge.DecodePayload(newRefresh).GetProperty("sid").GetString());

        // Protected with the access token: the tutorial's {"username": sub}.
        using var protectedResponse = await Send(HttpMethod.Get, "api/v1.0/protected", newAccess);
        Assert.Equal(HttpStatusCode.OK, protectedResponse.StatusCode);
        Assert.Equal(username.ToLowerInvariant(), (await Json(protectedResponse)).GetProperty("username").GetString());
    }

    [Fact]
    public async Task RefreshAcceptsTheRefreshTokenInAJsonBody()
    {
        var (_, tokens) = await App.NewSessionAsync();
        using var response = await Client.PostAsJsonAsync("api/v1.0/refresh", new { refresh_token = tokens.Refresh });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(string.IsNullOrEmpty((await Json(response)).GetProperty("refresh_token").GetString()));
    }

    [Fact]
    public async Task RegisteringATakenUsernameIs409RegardlessOfCase()
    {
        var username = FunctionsAppFixture.NewUsername();
        await App.RegisterAsync(username);
        using var again = await Client.PostAsJsonAsync("api/v1.0/register", new { username = username.ToUpperInvariant(), password = FunctionsAppFixture.Password });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("username_taken", (await Json(again)).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("ab", FunctionsAppFixture.Password)]
    [InlineData("has space", FunctionsAppFixture.Password)]
    [InlineData("valid.name", "short")]
    public async Task RegisterRejectsBadInputWith400(string username, string password)
    {
        using var response = await Client.PostAsJsonAsync("api/v1.0/register", new { username, password });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await Json(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task RequestBodiesArriveAsBytesNonAsciiPasswordRoundTrips()
    {
        var username = FunctionsAppFixture.NewUsername();
        const string password = "pässwörd-ünïcødé-✓-long";
        await App.RegisterAsync(username, password);
        var tokens = await App.LoginAsync(username, password);
        Assert.NotEmpty(tokens.Access);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BadCredentialsAre401InvalidGrant(bool knownUser)
    {
        var username = FunctionsAppFixture.NewUsername();
        if (knownUser)
        {
            await App.RegisterAsync(username);
        }

        using var response = await Client.PostAsJsonAsync("api/v1.0/login", new { username, password = "not the right password" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await Json(response);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
        Assert.Equal("The username or password is incorrect", body.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task ReusingASpentRefreshTokenRevokesTheWholeFamily()
    {
        var (_, tokens) = await App.NewSessionAsync();

        string successor;
        using (var first = await Send(HttpMethod.Post, "api/v1.0/refresh", tokens.Refresh))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            successor = (await Json(first)).GetProperty("refresh_token").GetString()!;
        }

        // Replay of the spent token: refused...
        using (var replay = await Send(HttpMethod.Post, "api/v1.0/refresh", tokens.Refresh))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
            Assert.Equal("invalid_grant", (await Json(replay)).GetProperty("error").GetString());
            Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The refresh token is invalid, spent or revoked\"", Challenge(replay));
        }

        // ...and the rotated successor is revoked with it.
        using var successorResponse = await Send(HttpMethod.Post, "api/v1.0/refresh", successor);
        Assert.Equal(HttpStatusCode.Unauthorized, successorResponse.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The refresh token is invalid, spent or revoked\"", Challenge(successorResponse));
    }

    [Fact]
    public async Task LogoutRevokesTheSessionsRefreshTokens()
    {
        var (_, tokens) = await App.NewSessionAsync();
        using (var logout = await Send(HttpMethod.Post, "api/v1.0/logout", tokens.Access))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        using var refresh = await Send(HttpMethod.Post, "api/v1.0/refresh", tokens.Refresh);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
    }

    [Fact]
    public async Task HealthIsAnonymousAnd200WithKeyAndStorage()
    {
        using var response = await Client.GetAsync("api/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Headers.WwwAuthenticate.FirstOrDefault());
        Assert.True((await Json(response)).TryGetProperty("status", out _));
    }

    private static void AssertTokenShape(string token, string typ, string subject)
    {
        var header = TokenForge.DecodeHeader(token);
        Assert.Equal("HS256", header.GetProperty("alg").GetString());
        Assert.Equal(typ, header.GetProperty("typ").GetString());
        Assert.Equal("local", header.GetProperty("kid").GetString());
        var payload = TokenForge.DecodePayload(token);
        Assert.Equal(subject, payload.GetProperty("sub").GetString());
        Assert.Equal(TokenForge.Issuer, payload.GetProperty("iss").GetString());
        // Access tokens are addressed to the APIs, refresh tokens to the token service (RFC 8725 §3.12).
        Assert.Equal(typ == "rt+jwt" ? TokenForge.Issuer : TokenForge.Audience, payload.GetProperty("aud").GetString());
        foreach (var claim in new[] { "jti", "sid" })
        {
            Assert.False(string.IsNullOrEmpty(payload.GetProperty(claim).GetString()));
        }

        foreach (var claim in new[] { "iat", "nbf", "exp" })
        {
            Assert.Equal(JsonValueKind.Number, payload.GetProperty(claim).ValueKind);
        }
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string bearer)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return Client.SendAsync(request);
    }

    /// <summary>The raw WWW-Authenticate value(s), as sent (no parsing or normalising by HttpClient).</summary>
    internal static string? Challenge(HttpResponseMessage response) =>
        response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var values) ? string.Join(" | ", values) : null;

    internal static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
