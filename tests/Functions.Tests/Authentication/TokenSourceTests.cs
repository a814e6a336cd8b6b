using JwtFunctions.Authentication;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Tests.Authentication;

/// <summary>
/// Where the token is read from per Jwt:TokenLocation, and the double-submit check, with refresh
/// tokens (which the source validates without the revocation list): flask-jwt-extended's rules.
/// </summary>
public sealed class TokenSourceTests
{
    public static TheoryData<string, string, string, string, string?> Cases() => new()
    {
        // location, method, what is sent, which CSRF header, expected outcome (a subject or a failure)
        { "headers", "POST", "header", "none", "alice" },
        { "headers", "POST", "cookie", "none", "missing" }, // header mode never reads a cookie
        { "cookies", "POST", "header", "none", "missing" }, // cookies only: the header is not read
        { "cookies", "GET", "cookie", "none", "alice" }, // safe method: no CSRF check
        { "cookies", "POST", "cookie", "none", nameof(TokenFailure.CsrfMissing) },
        { "cookies", "PUT", "cookie", "wrong", nameof(TokenFailure.CsrfMismatch) },
        { "cookies", "PATCH", "cookie", "wrong", nameof(TokenFailure.CsrfMismatch) },
        { "cookies", "DELETE", "cookie", "none", nameof(TokenFailure.CsrfMissing) },
        { "cookies", "POST", "cookie", "right", "alice" },
        { "headers,cookies", "POST", "header", "none", "alice" }, // a header token needs no CSRF header
        { "headers,cookies", "POST", "cookie", "none", nameof(TokenFailure.CsrfMissing) },
        { "headers,cookies", "POST", "cookie", "right", "alice" },
        { "headers,cookies", "POST", "both", "none", "alice" }, // the header comes first
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task TheTokenComesFromWhereTokenLocationSaysAndCookieTokensNeedTheCsrfHeaderOnUnsafeMethods(
        string location, string method, string sent, string csrfHeader, string? expected)
    {
        var options = new JwtOptions { TokenLocation = location };
        var tokens = await TestKeys.TokenServiceAsync(options: options);
        var keys = (await tokens.GetKeysAsync(default))!;
        var token = tokens.CreateRefreshToken(keys, "alice", "session", Guid.NewGuid().ToString("N")).Value;
        var csrf = (await tokens.ValidateAsync(token, TokenKind.Refresh, default)).Principal!.Csrf;
        Assert.Equal(options.UsesCookies(), csrf is not null);

        var headers = new List<(string, string)>();
        if (sent is "header" or "both")
        {
            headers.Add(("Authorization", "Bearer " + token));
        }

        if (sent is "cookie" or "both")
        {
            headers.Add(("Cookie", $"csrf_refresh_token={csrf}; {TokenSource.RefreshCookie}={token}"));
        }

        if (csrfHeader != "none")
        {
            headers.Add((TokenSource.CsrfHeader, csrfHeader == "right" ? csrf! : Guid.NewGuid().ToString()));
        }

        var request = new FakeHttpRequest(new FakeFunctionContext(), method, headers: [.. headers]);
        var source = new TokenSource(new BearerAuthenticator(tokens, TestKeys.UnloadedRevocationList()), Options.Create(options));

        var outcome = await source.AuthenticateAsync(request, TokenKind.Refresh, default);

        var actual = outcome.Principal?.Subject ?? (outcome.TokenMissing ? "missing" : outcome.Failure.ToString());
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("a=1; access_token_cookie=x.y.z; b=2", "x.y.z", false)]
    [InlineData("access_token_cookie=x.y.z", "x.y.z", false)]
    [InlineData("xaccess_token_cookie=x.y.z", null, false)]
    [InlineData("access_token_cookie=", null, false)]
    [InlineData("access_token_cookie=a.b.c; access_token_cookie=x.y.z", null, true)]
    public void TheCookieIsReadFromTheCookieHeader(string header, string? value, bool duplicated)
    {
        var request = new FakeHttpRequest(new FakeFunctionContext(), "GET", headers: [("Cookie", header)]);
        Assert.Equal(value, TokenSource.ReadCookie(request, TokenSource.AccessCookie, out var twice));
        Assert.Equal(duplicated, twice);
    }
}
