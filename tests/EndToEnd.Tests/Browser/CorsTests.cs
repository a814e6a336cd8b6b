using System.Net;

namespace JwtFunctions.EndToEnd.Tests.Browser;

/// <summary>
/// CORS as the local host answers it for the app in cookie mode (Host.CORS with the page's origin
/// and a second one, Host.CORSCredentials=true): preflights answered by the host, the origin
/// echoed with Allow-Credentials for a listed origin, nothing for another, Vary: Origin (more than
/// one origin listed: ASP.NET Core's CorsService, which both Core Tools and the Functions host
/// run). Without credentials and with the Flex settings: the host fidelity table's CORS rows.
/// </summary>
[Collection(CookieModeAppCollection.Name)]
public sealed class CorsTests(CookieModeAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output), IDisposable
{
    private readonly CookieModeAppFixture _app = app;
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = app.Host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public static TheoryData<string, string, string> Preflights() => new()
    {
        { "api/v1.0/login", "POST", "content-type" },
        { "api/v1.0/refresh", "POST", "x-csrf-token" },
        { "api/v1.0/logout", "POST", "content-type,x-csrf-token" },
        { "api/v1.0/protected", "GET", "x-requested-with" },
    };

    [Theory]
    [MemberData(nameof(Preflights))]
    public async Task APreflightFromTheListedOriginIsAnsweredByTheHostWithCredentials(string route, string method, string headers)
    {
        using var response = await PreflightAsync(route, CookieModeAppFixture.Origin(_app.PageOrigin), method, headers);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(CookieModeAppFixture.Origin(_app.PageOrigin), Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("true", Header(response, "Access-Control-Allow-Credentials"));
        Assert.Equal(method, Header(response, "Access-Control-Allow-Methods"));
        Assert.Equal(headers, Header(response, "Access-Control-Allow-Headers"));
        Assert.Equal("Origin", Header(response, "Vary"));
        Assert.Null(Header(response, "Access-Control-Max-Age"));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [MemberData(nameof(Preflights))]
    public async Task APreflightFromAnotherOriginGetsNoCorsHeaders(string route, string method, string headers)
    {
        using var response = await PreflightAsync(route, CookieModeAppFixture.Origin(_app.OtherOrigin), method, headers);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
        Assert.Null(Header(response, "Access-Control-Allow-Methods"));
        Assert.Null(Header(response, "Access-Control-Allow-Headers"));
    }

    [Fact]
    public async Task ALoginFromTheListedOriginCarriesItsCookiesAndTheCorsHeaders()
    {
        using var response = await LoginFromAsync(CookieModeAppFixture.Origin(_app.PageOrigin));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(CookieModeAppFixture.Origin(_app.PageOrigin), Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("true", Header(response, "Access-Control-Allow-Credentials"));
        Assert.Equal("Origin", Header(response, "Vary"));
        Assert.Equal(4, CookieModeTests.SetCookies(response).Length);
    }

    [Fact]
    public async Task ARequestFromAnotherOriginIsAnsweredWithoutCorsHeadersSoTheBrowserHidesIt()
    {
        using var response = await LoginFromAsync(CookieModeAppFixture.Origin(_app.OtherOrigin));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
    }

    private Task<HttpResponseMessage> PreflightAsync(string route, string origin, string method, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, route);
        request.Headers.TryAddWithoutValidation("Origin", origin);
        request.Headers.TryAddWithoutValidation("Access-Control-Request-Method", method);
        request.Headers.TryAddWithoutValidation("Access-Control-Request-Headers", headers);
        return _client.SendAsync(request);
    }

    private async Task<HttpResponseMessage> LoginFromAsync(string origin)
    {
        var username = FunctionsAppFixture.NewUsername();
        await App.RegisterAsync(username);
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v1.0/login") { Content = FunctionsAppFixture.SizedJson(new { username, password = FunctionsAppFixture.Password }) };
        request.Headers.TryAddWithoutValidation("Origin", origin);
        return await _client.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : null;

    void IDisposable.Dispose()
    {
        _client.Dispose();
        Dispose();
    }
}
