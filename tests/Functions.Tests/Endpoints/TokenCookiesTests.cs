using JwtFunctions.Endpoints;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Tests.Endpoints;

/// <summary>The Set-Cookie values of cookie mode per Jwt:TokenLocation and Jwt:CookieSameSite (the end-to-end tests pin them through the worker).</summary>
public sealed class TokenCookiesTests
{
    [Theory]
    [InlineData("headers", "Lax", 0)]
    [InlineData("cookies", "Lax", 4)]
    [InlineData("headers,cookies", "Strict", 4)]
    public async Task CookiesAreWrittenOnlyInCookieModeWithTheConfiguredSameSite(string location, string sameSite, int count)
    {
        var options = new JwtOptions { TokenLocation = location, CookieSameSite = sameSite };
        var tokens = await TestKeys.TokenServiceAsync(options: options);
        var keys = (await tokens.GetKeysAsync(default))!;
        var access = tokens.CreateAccessToken(keys, "alice", "session").Value;
        var refresh = tokens.CreateRefreshToken(keys, "alice", "session", "jti").Value;
        var cookies = new TokenCookies(Options.Create(options));

        var issued = cookies.Issue(access, refresh);
        var cleared = cookies.Clear();

        Assert.Equal(count, issued.Length);
        Assert.Equal(count, cleared.Length);
        Assert.All(issued.Concat(cleared), c => Assert.Equal("Set-Cookie", c.Name));
        Assert.All(issued.Concat(cleared), c => Assert.EndsWith("; Secure; " + (c.Value.StartsWith("csrf_", StringComparison.Ordinal) ? string.Empty : "HttpOnly; ") + "SameSite=" + sameSite, c.Value));
        Assert.All(cleared, c => Assert.Contains("=; Path=", c.Value));
        Assert.Equal(options.UsesHeaders(), cookies.InBody);
    }
}
