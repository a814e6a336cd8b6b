using System.Net;
using System.Text.Json;
using Microsoft.Playwright;

namespace JwtFunctions.EndToEnd.Tests.Browser;

/// <summary>
/// The page in <c>web/</c> in a real headless Chromium (Debian's; ./test installs it), served from
/// its own origin, calling the API on another origin in cookie mode: sign in, a silent refresh past
/// the access token's lifetime, sign out; a page on an origin CORS does not list; a form posted from
/// another origin without the CSRF header. Screenshots go to TestResults/screenshots.
/// </summary>
[Collection(CookieModeAppCollection.Name)]
public sealed class BrowserPageTests(CookieModeAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output), IAsyncLifetime
{
    private static readonly float Timeout = 30_000;

    private readonly CookieModeAppFixture _app = app;
    private readonly ITestOutputHelper _output = output;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            // Chromium's sandbox cannot start as root (CI runs as root).
            Args = Environment.UserName == "root" ? ["--no-sandbox"] : [],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    private string PageUrl(Uri origin) => new Uri(origin, "index.html?api=" + Uri.EscapeDataString(new Uri(_app.ApiOrigin, "api").ToString())).ToString();

    [Fact]
    public async Task SignsInStaysSignedInThroughASilentRefreshAndSignsOut()
    {
        var (context, page, username) = await SignInFromAsync(_app.PageOrigin);
        await using var _ = context;
        var signedInAt = DateTime.UtcNow;
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("signed-in", new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("#user")).ToHaveTextAsync(username);
        var firstAccess = await CookieAsync(context, "access_token_cookie");
        Assert.NotNull(firstAccess);
        Assert.True(firstAccess.HttpOnly);
        Assert.True(firstAccess.Secure);
        Assert.Equal(SameSiteAttribute.Lax, firstAccess.SameSite);
        Assert.Null(await page.EvaluateAsync<string?>("document.cookie.split('; ').find(c => c.startsWith('access_token_cookie=')) ?? null"));
        await ScreenshotAsync(page, "signed-in");

        // Past the first access token's lifetime: the page refreshed it before it expired.
        await Assertions.Expect(page.Locator("#refreshes")).Not.ToHaveTextAsync("0", new() { Timeout = 150_000 });
        var remaining = signedInAt + CookieModeAppFixture.AccessTokenLifetime + TimeSpan.FromSeconds(5) - DateTime.UtcNow;
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining);
        }

        using (var expired = await ProtectedWithCookieAsync(firstAccess.Value))
        {
            Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The token expired\"", SessionTests.Challenge(expired));
        }

        await page.ClickAsync("#check");
        await Assertions.Expect(page.Locator("#user")).ToHaveTextAsync(username, new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("signed-in");
        Assert.Equal("", await page.Locator("#error").TextContentAsync());
        var currentAccess = await CookieAsync(context, "access_token_cookie");
        Assert.NotEqual(firstAccess.Value, currentAccess!.Value);
        await ScreenshotAsync(page, "signed-in-after-silent-refresh");

        await page.ClickAsync("#signout");
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("signed-out", new() { Timeout = Timeout });
        Assert.Null(await CookieAsync(context, "access_token_cookie"));
        Assert.Null(await CookieAsync(context, "refresh_token_cookie"));

        // The API refuses: the page has no cookie left, and the last access token is revoked.
        var status = await page.EvaluateAsync<int>("api => fetch(api + '/v1.0/protected', { credentials: 'include' }).then(r => r.status)", new Uri(_app.ApiOrigin, "api").ToString());
        Assert.Equal(401, status);
        using var revoked = await ProtectedWithCookieAsync(currentAccess.Value);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The token was revoked\"", SessionTests.Challenge(revoked));
    }

    [Fact]
    public async Task APageOnAnOriginCorsDoesNotListCannotCallTheApi()
    {
        var (context, page, _) = await SignInFromAsync(_app.OtherOrigin);
        await using var __ = context;

        await Assertions.Expect(page.Locator("#error")).ToContainTextAsync("could not be reached", new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("signed-out");
        // The preflight failed, so the login itself was never sent: no cookie was set.
        Assert.Null(await CookieAsync(context, "access_token_cookie"));
    }

    public static TheoryData<string, string, string> FormOrigins() => new()
    {
        // Same site (cookies are per host): the SameSite=Lax cookie goes with the POST, the missing
        // X-CSRF-TOKEN header refuses it. This is the case double submit exists for.
        { "localhost", "The X-CSRF-TOKEN header is missing", "Bearer error=\"invalid_token\", error_description=\"The X-CSRF-TOKEN header is missing\"" },
        // Cross site: SameSite=Lax keeps the cookie off a cross-site POST altogether (RFC 6750 §3.1: no credentials, bare challenge).
        { "127.0.0.1", "An access token is required", "Bearer" },
    };

    [Theory]
    [MemberData(nameof(FormOrigins))]
    public async Task AFormPostedFromAnotherOriginWithoutTheCsrfHeaderIsRefused(string formHost, string description, string challenge)
    {
        var (context, page, username) = await SignInFromAsync(_app.PageOrigin);
        await using var _ = context;
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("signed-in", new() { Timeout = Timeout });

        var logout = new Uri(_app.ApiOrigin, "api/v1.0/logout");
        _app.OtherOriginPages["attack.html"] = $"""
            <!doctype html><form id="f" method="post" action="{logout}"><input name="all" value="true"></form>
            <script>document.getElementById("f").submit();</script>
            """;
        var attacker = await context.NewPageAsync();
        var response = await attacker.RunAndWaitForResponseAsync(
            () => attacker.GotoAsync($"http://{formHost}:{_app.OtherOrigin.Port}/attack.html"),
            r => r.Url == logout.ToString(),
            new() { Timeout = Timeout });

        Assert.Equal(401, response.Status);
        Assert.Equal(challenge, await response.HeaderValueAsync("www-authenticate"));
        var body = JsonDocument.Parse(await response.TextAsync()).RootElement;
        Assert.Equal(description, body.GetProperty("error_description").GetString());

        // Logout never ran: the page is still signed in and its session still refreshes.
        await page.ClickAsync("#check");
        await Assertions.Expect(page.Locator("#user")).ToHaveTextAsync(username, new() { Timeout = Timeout });
        Assert.True(await page.EvaluateAsync<bool>("() => refresh()"));
    }

    /// <summary>A new user, a fresh browser context, the page served from <paramref name="origin"/>, and its sign-in form submitted.</summary>
    private async Task<(IBrowserContext Context, IPage Page, string Username)> SignInFromAsync(Uri origin)
    {
        var username = FunctionsAppFixture.NewUsername();
        await App.RegisterAsync(username);
        var context = await _browser!.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(PageUrl(origin));
        await SignInAsync(page, username);
        return (context, page, username);
    }

    private static async Task SignInAsync(IPage page, string username)
    {
        await page.FillAsync("#username", username);
        await page.FillAsync("#password", FunctionsAppFixture.Password);
        await page.ClickAsync("#signin");
    }

    private static async Task<BrowserContextCookiesResult?> CookieAsync(IBrowserContext context, string name) =>
        (await context.CookiesAsync()).SingleOrDefault(c => c.Name == name);

    private async Task<HttpResponseMessage> ProtectedWithCookieAsync(string accessToken)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = _app.Host.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1.0/protected");
        request.Headers.TryAddWithoutValidation("Cookie", "access_token_cookie=" + accessToken);
        return await client.SendAsync(request);
    }

    private async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(AppBuild.RepositoryRoot, "TestResults", "screenshots", name + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        _output.WriteLine($"screenshot: {path}");
    }
}
