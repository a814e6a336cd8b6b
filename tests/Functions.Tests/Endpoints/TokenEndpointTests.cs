using System.Net;
using System.Text;
using JwtFunctions.Authentication;
using JwtFunctions.Endpoints;
using JwtFunctions.TestSupport;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.Tokens;
using static JwtFunctions.TestSupport.FakeHttpResponse;

namespace JwtFunctions.Tests.Endpoints;

/// <summary>The function classes called directly, over the real services and Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TokenEndpointTests(AzuriteFixture azurite)
{
    private const string Password = "twelve-chars";

    private static string Credentials(string user, string password) => $$"""{"username":"{{user}}","password":"{{password}}"}""";

    private static async Task<HttpStatusCode> RegisterAsync(TestServices app, string body)
    {
        var response = await new Register(app.Accounts, app.Get<JwtFunctions.Accounts.LoginThrottle>()).Run(FakeHttpRequest.Json("POST", body), default);
        return response.StatusCode;
    }

    [Fact]
    public async Task LoginAnswersTheTutorialShapePlusTokenTypeAndExpiry()
    {
        await using var app = await TestServices.StartAsync(azurite);
        Assert.Equal(HttpStatusCode.Created, await RegisterAsync(app, Credentials("airvip", Password)));

        var response = await new Login(app.Accounts, app.Get<JwtFunctions.Accounts.LoginThrottle>()).Run(FakeHttpRequest.Json("POST", Credentials("airvip", Password)), default);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonOf(response);
        Assert.Equal(3, body.GetProperty("access_token").GetString()!.Split('.').Length);
        Assert.Equal(3, body.GetProperty("refresh_token").GetString()!.Split('.').Length);
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(900, body.GetProperty("expires_in").GetInt32());
        Assert.Equal("no-store", Header(response, "Cache-Control"));
        Assert.Equal("application/json; charset=utf-8", Header(response, "Content-Type"));
    }

    [Fact]
    public async Task UnknownUserAndWrongPasswordGetTheSameResponse()
    {
        await using var app = await TestServices.StartAsync(azurite);
        await RegisterAsync(app, Credentials("alice", Password));
        var login = new Login(app.Accounts, app.Get<JwtFunctions.Accounts.LoginThrottle>());

        var unknown = await login.Run(FakeHttpRequest.Json("POST", Credentials("nobody", Password)), default);
        var wrong = await login.Run(FakeHttpRequest.Json("POST", Credentials("alice", "wrong-password")), default);

        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(unknown.StatusCode, wrong.StatusCode);
        Assert.Equal(JsonOf(unknown).GetRawText(), JsonOf(wrong).GetRawText());
        Assert.Equal("invalid_grant", JsonOf(unknown).GetProperty("error").GetString());
        Assert.Equal("Bearer", Header(unknown, "WWW-Authenticate"));
        Assert.Equal(Header(unknown, "WWW-Authenticate"), Header(wrong, "WWW-Authenticate"));
    }

    [Theory]
    [InlineData("{not json", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("[1,2]", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("null", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("""{"username": 5, "password": "x"}""", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("""{"username": {"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{}}}}}}}}}}""", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("""{"username":"a","password":"b"}""", "text/plain", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("""{"username":"a","password":"b"}""", "application/json; charset=latin1", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("username=a&password=b", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("""{"username":"ab/c","password":"twelve-chars"}""", "application/json", HttpStatusCode.Unauthorized)]
    [InlineData("""{"username":null,"password":null}""", "application/json", HttpStatusCode.Unauthorized)]
    [InlineData("""{}""", "application/json", HttpStatusCode.Unauthorized)]
    [InlineData("""{"username":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","password":"twelve-chars"}""", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("""{"username":"alice","password":"ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"}""", "application/json", HttpStatusCode.BadRequest)]
    public async Task BadLoginRequestGetsAClientErrorAsOAuthJson(string body, string contentType, HttpStatusCode expected)
    {
        await using var app = await TestServices.StartAsync(azurite);
        var request = new FakeHttpRequest(new FakeFunctionContext(), "POST", Encoding.UTF8.GetBytes(body), contentType);

        var response = await new Login(app.Accounts, app.Get<JwtFunctions.Accounts.LoginThrottle>()).Run(request, default);

        Assert.Equal(expected, response.StatusCode);
        var json = JsonOf(response);
        Assert.False(string.IsNullOrEmpty(json.GetProperty("error").GetString()));
        Assert.False(string.IsNullOrEmpty(json.GetProperty("error_description").GetString()));
    }

    [Fact]
    public async Task BodyThatIsNotUtf8Is400EvenInsideAnUnknownMember()
    {
        await using var app = await TestServices.StartAsync(azurite);
        byte[] body = [.. "{\"a\":\""u8, 0xFF, 0xFE, .. "\"}"u8];

        var response = await new Login(app.Accounts, app.Get<JwtFunctions.Accounts.LoginThrottle>()).Run(new FakeHttpRequest(new FakeFunctionContext(), "POST", body), default);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The request body is not valid UTF-8", JsonOf(response).GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task BodyOverSixteenKibibytesIs413()
    {
        await using var app = await TestServices.StartAsync(azurite);
        var body = Credentials("alice", new string('x', 17 * 1024));

        var response = await new Login(app.Accounts, app.Get<JwtFunctions.Accounts.LoginThrottle>()).Run(FakeHttpRequest.Json("POST", body), default);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("invalid_request", JsonOf(response).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData(true, """{"username":"newuser","password":"twelve-chars"}""", HttpStatusCode.Created)]
    [InlineData(true, """{"username":"no","password":"twelve-chars"}""", HttpStatusCode.BadRequest)]
    [InlineData(true, """{"username":"newuser","password":"short"}""", HttpStatusCode.BadRequest)]
    [InlineData(false, """{"username":"newuser","password":"twelve-chars"}""", HttpStatusCode.NotFound)]
    public async Task RegisterAnswers(bool enabled, string body, HttpStatusCode expected)
    {
        await using var app = await TestServices.StartAsync(azurite, registration: enabled);
        Assert.Equal(expected, await RegisterAsync(app, body));
    }

    [Fact]
    public async Task RegisteringATakenNameIs409()
    {
        await using var app = await TestServices.StartAsync(azurite);
        Assert.Equal(HttpStatusCode.Created, await RegisterAsync(app, Credentials("taken", Password)));
        Assert.Equal(HttpStatusCode.Conflict, await RegisterAsync(app, Credentials("TAKEN", "another-password")));
    }

    [Fact]
    public async Task ProtectedAnswersTheCallersUsername()
    {
        var context = new FakeFunctionContext();
        context.SetTokenPrincipal(new TokenPrincipal("airvip", "j", "s", TokenKind.Access, DateTimeOffset.UtcNow.AddMinutes(5)));

        var response = await new Protected().Run(new FakeHttpRequest(context, "GET"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"username":"airvip"}""", JsonOf(response).GetRawText());
    }

    [Fact]
    public async Task RefreshTakesTheTokenFromTheBodyWhenNoHeaderWasSent()
    {
        await using var app = await TestServices.StartAsync(azurite);
        await RegisterAsync(app, Credentials("alice", Password));
        var login = JsonOf(await new Login(app.Accounts, app.Get<JwtFunctions.Accounts.LoginThrottle>()).Run(FakeHttpRequest.Json("POST", Credentials("alice", Password)), default));
        var refreshToken = login.GetProperty("refresh_token").GetString();
        var refresh = new Refresh(app.Accounts, app.Tokens);

        var first = await refresh.Run(FakeHttpRequest.Json("POST", $$"""{"refresh_token":"{{refreshToken}}"}"""), new FakeFunctionContext(), default);
        var replay = await refresh.Run(FakeHttpRequest.Json("POST", $$"""{"refresh_token":"{{refreshToken}}"}"""), new FakeFunctionContext(), default);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.NotEqual(refreshToken, JsonOf(first).GetProperty("refresh_token").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal("invalid_grant", JsonOf(replay).GetProperty("error").GetString());
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The refresh token is invalid, spent or revoked\"", Header(replay, "WWW-Authenticate"));
    }

    [Theory]
    [InlineData("", "Bearer")]
    [InlineData("{}", "Bearer")]
    [InlineData("""{"refresh_token":"not.a.token"}""", "Bearer error=\"invalid_token\", error_description=\"The token is malformed\"")]
    public async Task RefreshWithoutAUsableTokenIs401WithAChallenge(string body, string challenge)
    {
        await using var app = await TestServices.StartAsync(azurite);

        var response = await new Refresh(app.Accounts, app.Tokens).Run(FakeHttpRequest.Json("POST", body), new FakeFunctionContext(), default);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(challenge, Header(response, "WWW-Authenticate"));
    }

    [Fact]
    public async Task AccessTokenInTheRefreshBodyIsRefusedForItsAudience()
    {
        await using var app = await TestServices.StartAsync(azurite);
        var access = app.Tokens.CreateAccessToken((await app.Tokens.GetKeysAsync(default))!, "alice", "s").Value;

        var response = await new Refresh(app.Accounts, app.Tokens).Run(FakeHttpRequest.Json("POST", $$"""{"refresh_token":"{{access}}"}"""), new FakeFunctionContext(), default);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        // An access token is addressed to the APIs, a refresh token to the token service (RFC 8725 §3.12).
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The token's audience is invalid\"", Header(response, "WWW-Authenticate"));
    }

    [Fact]
    public async Task LogoutRevokesTheSessionAndAnswers204()
    {
        await using var app = await TestServices.StartAsync(azurite);
        await RegisterAsync(app, Credentials("alice", Password));
        var login = JsonOf(await new Login(app.Accounts, app.Get<JwtFunctions.Accounts.LoginThrottle>()).Run(FakeHttpRequest.Json("POST", Credentials("alice", Password)), default));
        var context = new FakeFunctionContext();
        context.SetTokenPrincipal((await app.Tokens.ValidateAsync(login.GetProperty("access_token").GetString(), TokenKind.Access, default)).Principal!);

        var response = await new Logout(app.Accounts).Run(new FakeHttpRequest(context, "POST"), context, default);
        var refresh = await new Refresh(app.Accounts, app.Tokens).Run(
            FakeHttpRequest.Json("POST", $$"""{"refresh_token":"{{login.GetProperty("refresh_token").GetString()}}"}"""), new FakeFunctionContext(), default);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
    }

    [Fact]
    public async Task HealthIs200WhenKeyAndStorageAreThereAndRevealsNoSecret()
    {
        var key = TestKeys.NewBase64Key();
        await using var app = await TestServices.StartAsync(azurite, signingKey: key);

        var response = await Health(app).Run(new FakeHttpRequest(new FakeFunctionContext(), "GET"), default);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"healthy"}""", JsonOf(response).GetRawText());
        var (_, report) = await app.Get<HealthProbe>().CheckAsync(default);
        var details = System.Text.Json.JsonSerializer.Serialize(report, ApiJsonContext.Default.HealthResponse);
        Assert.Equal("""{"status":"healthy","signing_keys":"loaded","key_source":"local-setting","storage":"ok","issuing":true}""", details);
        Assert.DoesNotContain(key, details);
    }

    [Fact]
    public async Task HealthIs503WithAWeakKey()
    {
        await using var app = await TestServices.StartAsync(azurite, signingKey: "c2hvcnQ=");

        var response = await Health(app).Run(new FakeHttpRequest(new FakeFunctionContext(), "GET"), default);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("""{"status":"unhealthy"}""", JsonOf(response).GetRawText());
        Assert.Equal("invalid", (await app.Get<HealthProbe>().CheckAsync(default)).Report.SigningKeys);
    }

    [Fact]
    public async Task HealthIs503WhenStorageDoesNotAnswer()
    {
        var closed = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};TableEndpoint=http://127.0.0.1:{FreePort.Next()}/devstoreaccount1;";
        await using var app = await TestServices.StartAsync(azurite, connectionString: closed);

        var response = await Health(app).Run(new FakeHttpRequest(new FakeFunctionContext(), "GET"), default);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("""{"status":"unhealthy"}""", JsonOf(response).GetRawText());
        Assert.Equal("unavailable", (await app.Get<HealthProbe>().CheckAsync(default)).Report.Storage);
    }

    private static Health Health(TestServices app) => new(app.Get<HealthProbe>(), app.Get<BearerAuthenticator>());
}
