using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;

namespace JwtFunctions.EndToEnd.Tests.Browser;

/// <summary>
/// Cookie mode through the real worker and the local host, with the requests a browser makes:
/// the four flask-jwt-extended cookies with their attributes, the double-submit CSRF check on
/// every unsafe route that takes a cookie token, rotation and reuse detection with cookies, logout
/// clearing the cookies. No cookie jar: every Cookie header is written by the test.
/// </summary>
[Collection(CookieModeAppCollection.Name)]
public sealed partial class CookieModeTests(CookieModeAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output), IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = app.Host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task LoginSetsTheFourCookiesWithExactAttributesAndNoTokenInTheBody()
    {
        var username = FunctionsAppFixture.NewUsername();
        await App.RegisterAsync(username);
        using var response = await _client.PostAsync("api/v1.0/login", FunctionsAppFixture.SizedJson(new { username, password = FunctionsAppFixture.Password }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            [
                "access_token_cookie=<jwt>; Path=/api; Secure; HttpOnly; SameSite=Lax",
                "csrf_access_token=<uuid>; Path=/; Secure; SameSite=Lax",
                "refresh_token_cookie=<jwt>; Path=/api/v1.0/refresh; Secure; HttpOnly; SameSite=Lax",
                "csrf_refresh_token=<uuid>; Path=/; Secure; SameSite=Lax",
            ],
            SetCookies(response).Select(Mask));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(body.TryGetProperty("access_token", out _), "cookies only: no token a script could read");
        Assert.False(body.TryGetProperty("refresh_token", out _));
        Assert.Equal(60, body.GetProperty("expires_in").GetInt32());

        // Each CSRF cookie is its token's csrf claim (flask-jwt-extended's get_csrf_token).
        var jar = Jar(response);
        Assert.Equal(Claim(jar["access_token_cookie"], "csrf"), jar["csrf_access_token"]);
        Assert.Equal(Claim(jar["refresh_token_cookie"], "csrf"), jar["csrf_refresh_token"]);
        Assert.NotEqual(jar["csrf_access_token"], jar["csrf_refresh_token"]);
    }

    [Fact]
    public async Task ASafeMethodNeedsOnlyTheAccessCookie()
    {
        var (username, jar) = await NewCookieSessionAsync();
        using var response = await SendAsync(HttpMethod.Get, "api/v1.0/protected", jar, cookie: "access_token_cookie", csrf: null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(username, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("username").GetString());
    }

    [Fact]
    public async Task WithCookiesOnlyTheAuthorizationHeaderIsNotRead()
    {
        var (_, jar) = await NewCookieSessionAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1.0/protected");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + jar["access_token_cookie"]);
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", SessionTests.Challenge(response));
    }

    public static TheoryData<string, string, string, HttpStatusCode, string?> CsrfCases()
    {
        var data = new TheoryData<string, string, string, HttpStatusCode, string?>();
        foreach (var (route, cookie, ok) in new[]
        {
            ("api/v1.0/logout", "access_token_cookie", HttpStatusCode.NoContent),
            ("api/v1.0/password", "access_token_cookie", HttpStatusCode.NoContent),
            ("api/v1.0/refresh", "refresh_token_cookie", HttpStatusCode.OK),
        })
        {
            data.Add(route, cookie, "missing", HttpStatusCode.Unauthorized, "The X-CSRF-TOKEN header is missing");
            data.Add(route, cookie, "empty", HttpStatusCode.Unauthorized, "The X-CSRF-TOKEN header is missing");
            data.Add(route, cookie, "wrong", HttpStatusCode.Unauthorized, "The X-CSRF-TOKEN header does not match the token");
            data.Add(route, cookie, "other token's", HttpStatusCode.Unauthorized, "The X-CSRF-TOKEN header does not match the token");
            data.Add(route, cookie, "right", ok, null);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CsrfCases))]
    public async Task ACookieTokenOnAnUnsafeMethodNeedsTheMatchingCsrfHeader(string route, string cookie, string csrfCase, HttpStatusCode status, string? description)
    {
        var (_, jar) = await NewCookieSessionAsync();
        var own = jar[cookie == "access_token_cookie" ? "csrf_access_token" : "csrf_refresh_token"];
        var other = jar[cookie == "access_token_cookie" ? "csrf_refresh_token" : "csrf_access_token"];
        var csrf = csrfCase switch
        {
            "missing" => null,
            "empty" => string.Empty,
            "wrong" => Guid.NewGuid().ToString(),
            "other token's" => other,
            _ => own,
        };
        var body = route.EndsWith("password", StringComparison.Ordinal)
            ? new { current_password = FunctionsAppFixture.Password, new_password = FunctionsAppFixture.Password + " 2" } as object
            : new { };

        using var response = await SendAsync(HttpMethod.Post, route, jar, cookie, csrf, body);

        Assert.Equal(status, response.StatusCode);
        if (description is not null)
        {
            Assert.Equal($"Bearer error=\"invalid_token\", error_description=\"{description}\"", SessionTests.Challenge(response));
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("invalid_token", error.GetProperty("error").GetString());
            Assert.Equal(description, error.GetProperty("error_description").GetString());

            // The function never ran: the session, its access token and its refresh token all still work.
            using var still = await SendAsync(HttpMethod.Get, "api/v1.0/protected", jar, "access_token_cookie", null);
            Assert.Equal(HttpStatusCode.OK, still.StatusCode);
            using var refresh = await SendAsync(HttpMethod.Post, "api/v1.0/refresh", jar, "refresh_token_cookie", jar["csrf_refresh_token"]);
            Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        }
    }

    [Fact]
    public async Task LogoutClearsTheFourCookiesAndEndsTheSession()
    {
        var (_, jar) = await NewCookieSessionAsync();
        using var response = await SendAsync(HttpMethod.Post, "api/v1.0/logout", jar, "access_token_cookie", jar["csrf_access_token"]);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(
            [
                "access_token_cookie=; Path=/api; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax",
                "csrf_access_token=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; SameSite=Lax",
                "refresh_token_cookie=; Path=/api/v1.0/refresh; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax",
                "csrf_refresh_token=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; SameSite=Lax",
            ],
            SetCookies(response));

        // A client that kept the old cookies gets nothing more from them.
        using var protectedResponse = await SendAsync(HttpMethod.Get, "api/v1.0/protected", jar, "access_token_cookie", null);
        Assert.Equal(HttpStatusCode.Unauthorized, protectedResponse.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The token was revoked\"", SessionTests.Challenge(protectedResponse));
        using var refresh = await SendAsync(HttpMethod.Post, "api/v1.0/refresh", jar, "refresh_token_cookie", jar["csrf_refresh_token"]);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
    }

    [Fact]
    public async Task RefreshRotatesTheCookiesAndAReusedRefreshCookieEndsTheSession()
    {
        var (_, first) = await NewCookieSessionAsync();
        using var rotated = await SendAsync(HttpMethod.Post, "api/v1.0/refresh", first, "refresh_token_cookie", first["csrf_refresh_token"]);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var second = Jar(rotated);
        Assert.Equal(4, second.Count);
        Assert.NotEqual(first["refresh_token_cookie"], second["refresh_token_cookie"]);
        Assert.NotEqual(first["csrf_refresh_token"], second["csrf_refresh_token"]);

        // The spent refresh cookie again (with its own, right CSRF value): reuse (RFC 9700 §4.14.2).
        using var reuse = await SendAsync(HttpMethod.Post, "api/v1.0/refresh", first, "refresh_token_cookie", first["csrf_refresh_token"]);
        Assert.Equal(HttpStatusCode.Unauthorized, reuse.StatusCode);
        Assert.Equal("invalid_grant", JsonDocument.Parse(await reuse.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        Assert.Empty(SetCookies(reuse));

        // The whole session ended: the successor's cookies are refused too.
        using var successor = await SendAsync(HttpMethod.Post, "api/v1.0/refresh", second, "refresh_token_cookie", second["csrf_refresh_token"]);
        Assert.Equal(HttpStatusCode.Unauthorized, successor.StatusCode);
        using var access = await SendAsync(HttpMethod.Get, "api/v1.0/protected", second, "access_token_cookie", null);
        Assert.Equal(HttpStatusCode.Unauthorized, access.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The token was revoked\"", SessionTests.Challenge(access));
    }

    /// <summary>
    /// PUT and DELETE (the admin API's) need the CSRF header like POST: an admin's access token in
    /// its cookie, with its csrf claim, changes nothing without the matching header.
    /// </summary>
    [Theory]
    [InlineData("PUT", "missing", HttpStatusCode.Unauthorized, "The X-CSRF-TOKEN header is missing")]
    [InlineData("PUT", "wrong", HttpStatusCode.Unauthorized, "The X-CSRF-TOKEN header does not match the token")]
    [InlineData("PUT", "right", HttpStatusCode.NoContent, null)]
    [InlineData("DELETE", "missing", HttpStatusCode.Unauthorized, "The X-CSRF-TOKEN header is missing")]
    [InlineData("DELETE", "wrong", HttpStatusCode.Unauthorized, "The X-CSRF-TOKEN header does not match the token")]
    [InlineData("DELETE", "right", HttpStatusCode.NoContent, null)]
    public async Task ACookieAdminTokenOnPutAndDeleteNeedsTheMatchingCsrfHeader(string method, string csrfCase, HttpStatusCode status, string? description)
    {
        var target = FunctionsAppFixture.NewUsername();
        await App.RegisterAsync(target);
        var csrfClaim = Guid.NewGuid().ToString();
        var admin = Admin.AdminApi.Token(App.SigningKey, "cookie-admin", claims =>
        {
            claims["roles"] = new[] { "admin" };
            claims["csrf"] = csrfClaim;
        });
        var jar = new Dictionary<string, string> { ["access_token_cookie"] = admin, ["csrf_access_token"] = csrfClaim };
        var csrf = csrfCase switch
        {
            "missing" => null,
            "wrong" => Guid.NewGuid().ToString(),
            _ => csrfClaim,
        };

        using var response = method == "PUT"
            ? await SendAsync(HttpMethod.Put, $"api/v1.0/admin/users/{target}/roles", jar, "access_token_cookie", csrf, new { roles = new[] { "ops" } })
            : await SendAsync(HttpMethod.Delete, $"api/v1.0/admin/users/{target}", jar, "access_token_cookie", csrf);

        Assert.Equal(status, response.StatusCode);
        using var read = await SendAsync(HttpMethod.Get, $"api/v1.0/admin/users/{target}", jar, "access_token_cookie", null);
        if (description is null)
        {
            Assert.Equal(method == "PUT" ? HttpStatusCode.OK : HttpStatusCode.NotFound, read.StatusCode);
            return;
        }

        Assert.Equal($"Bearer error=\"invalid_token\", error_description=\"{description}\"", SessionTests.Challenge(response));
        // The function never ran: the user is there, with no roles.
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(0, JsonDocument.Parse(await read.Content.ReadAsStringAsync()).RootElement.GetProperty("roles").GetArrayLength());
    }

    [Fact]
    public async Task TwoCookiesOfTheSameNameAreRefused()
    {
        var (_, jar) = await NewCookieSessionAsync();
        var (_, other) = await NewCookieSessionAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1.0/protected");
        request.Headers.TryAddWithoutValidation("Cookie", $"access_token_cookie={other["access_token_cookie"]}; access_token_cookie={jar["access_token_cookie"]}");
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The token is malformed\"", SessionTests.Challenge(response));
    }

    private async Task<(string Username, Dictionary<string, string> Jar)> NewCookieSessionAsync()
    {
        var username = FunctionsAppFixture.NewUsername();
        await App.RegisterAsync(username);
        using var response = await _client.PostAsync("api/v1.0/login", FunctionsAppFixture.SizedJson(new { username, password = FunctionsAppFixture.Password }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (username, Jar(response));
    }

    /// <summary>A request with one token cookie, as the browser sends it to that route, and optionally X-CSRF-TOKEN.</summary>
    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string route, Dictionary<string, string> jar, string cookie, string? csrf, object? body = null)
    {
        var request = new HttpRequestMessage(method, route);
        request.Headers.TryAddWithoutValidation("Cookie", $"{cookie}={jar[cookie]}; csrf_access_token={jar["csrf_access_token"]}");
        if (csrf is not null)
        {
            request.Headers.TryAddWithoutValidation("X-CSRF-TOKEN", csrf);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body)) { Headers = { ContentType = new("application/json") } };
        }

        return _client.SendAsync(request);
    }

    public static string[] SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? [.. values] : [];

    public static Dictionary<string, string> Jar(HttpResponseMessage response) =>
        SetCookies(response).Select(c => c.Split(';')[0].Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    private static string Mask(string setCookie) => UuidValue().Replace(JwtValue().Replace(setCookie, "=<jwt>;"), "=<uuid>;");

    private static string Claim(string token, string name) => new JsonWebToken(token).GetPayloadValue<string>(name);

    [GeneratedRegex(@"=eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+;")]
    private static partial Regex JwtValue();

    [GeneratedRegex(@"=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12};")]
    private static partial Regex UuidValue();

    void IDisposable.Dispose()
    {
        _client.Dispose();
        Dispose();
    }
}
