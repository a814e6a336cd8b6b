using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JwtFunctions.EndToEnd.Tests.Browser;

/// <summary>
/// The app in cookie mode (<c>Jwt__TokenLocation=cookies</c>) under the local host with
/// <c>Host.CORS</c> / <c>Host.CORSCredentials=true</c> in local.settings.json, as a browser client
/// would run it: the page (<c>web/</c>) on its own origin <see cref="PageOrigin"/>, which is listed
/// (with a second origin, so the policy varies by origin), and a second page server
/// <see cref="OtherOrigin"/> that is not listed. Both are on <c>localhost</c>, the API's host:
/// cookies are per host, not per port (RFC 6265 §8.5), so they are same-site and the page's
/// script reads the API's CSRF cookies, as with any SPA served apart from its API. Access tokens
/// live one minute (the validator's minimum) with no clock skew, so a browser test can outwait one.
/// </summary>
public sealed class CookieModeAppFixture : FunctionsAppFixture
{
    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromMinutes(1);

    private WebApplication? _page;
    private WebApplication? _other;

    /// <summary>Extra documents the other origin serves (a cross-site form, ...), by file name.</summary>
    public ConcurrentDictionary<string, string> OtherOriginPages { get; } = new(StringComparer.Ordinal);

    public Uri PageOrigin { get; private set; } = null!;

    public Uri OtherOrigin { get; private set; } = null!;

    /// <summary>The API as the page calls it: <c>http://localhost:port</c> (not 127.0.0.1: the cookies' host is the page's).</summary>
    public Uri ApiOrigin => new($"http://localhost:{Host.BaseAddress.Port}");

    public static string Origin(Uri uri) => uri.GetLeftPart(UriPartial.Authority);

    protected override IEnumerable<KeyValuePair<string, string>> ExtraEnvironment =>
    [
        new("Jwt__TokenLocation", "cookies"),
        new("Jwt__AccessTokenLifetime", "00:01:00"),
        new("Jwt__ClockSkew", "00:00:00"),
    ];

    protected override string LocalSettingsHost =>
        $$"""{ "CORS": "{{Origin(PageOrigin)}},https://second.example", "CORSCredentials": true }""";

    protected override async Task BeforeHostStartAsync()
    {
        (_page, PageOrigin) = await StartPageServerAsync(_ => null);
        (_other, OtherOrigin) = await StartPageServerAsync(name => OtherOriginPages.TryGetValue(name, out var page) ? page : null);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var server in new[] { _page, _other })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>A static server for <c>web/</c> (plus <paramref name="extra"/>) on a free loopback port, named by localhost.</summary>
    private static async Task<(WebApplication, Uri)> StartPageServerAsync(Func<string, string?> extra)
    {
        var web = Path.Combine(AppBuild.RepositoryRoot, "web");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/{file}", (string file) =>
        {
            if (extra(file) is { } document)
            {
                return Results.Content(document, "text/html; charset=utf-8");
            }

            var path = Path.Combine(web, file);
            return file.Contains("..", StringComparison.Ordinal) || !File.Exists(path)
                ? Results.NotFound()
                : Results.File(path, file.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript; charset=utf-8" : "text/html; charset=utf-8");
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return (app, new Uri($"http://localhost:{address.Port}/"));
    }
}

[CollectionDefinition(Name)]
public sealed class CookieModeAppCollection : ICollectionFixture<CookieModeAppFixture>
{
    public const string Name = "Functions app in cookie mode";
}
