using JwtFunctions.Authentication;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace JwtFunctions.Endpoints;

/// <summary>
/// The <c>Set-Cookie</c> headers (RFC 6265 §4.1) of cookie mode (<c>Jwt:TokenLocation</c> with
/// <c>cookies</c>), under flask-jwt-extended's default names. The token cookies are
/// <c>HttpOnly</c> (no script reads them), <c>Secure</c> (browsers also keep Secure cookies from
/// <c>http://localhost</c>, a potentially trustworthy origin) and <c>SameSite</c> Lax or Strict.
/// The CSRF cookies carry each token's <c>csrf</c> claim without <c>HttpOnly</c>, at <c>Path=/</c>,
/// so the page's script can copy them into <c>X-CSRF-TOKEN</c>. All are session cookies, as with
/// flask-jwt-extended's default JWT_SESSION_COOKIE; the tokens' own <c>exp</c> still bounds them.
/// </summary>
public sealed class TokenCookies(IOptions<JwtOptions> options)
{
    /// <summary>Every route of the app (host.json's routePrefix).</summary>
    public const string AccessPath = "/api";

    /// <summary>
    /// The refresh token goes only to the refresh route (RFC 6265 §5.1.4 path-match), never to the
    /// others; logout clears it by naming the same path.
    /// </summary>
    public const string RefreshPath = "/api/v1.0/refresh";

    /// <summary>Readable by the page's script on any of its paths.</summary>
    public const string CsrfPath = "/";

    private readonly bool _enabled = options.Value.UsesCookies();
    private readonly string _sameSite = options.Value.CookieSameSite;

    public bool Enabled => _enabled;

    /// <summary>Whether tokens also go in the response body (the header mode is on too).</summary>
    public bool InBody { get; } = options.Value.UsesHeaders();

    /// <summary>The four cookies of a grant; none when cookie mode is off.</summary>
    public (string Name, string Value)[] Issue(string accessToken, string refreshToken) => !_enabled ? [] :
    [
        SetCookie(TokenSource.AccessCookie, accessToken, AccessPath, httpOnly: true),
        SetCookie(TokenSource.AccessCsrfCookie, CsrfOf(accessToken), CsrfPath, httpOnly: false),
        SetCookie(TokenSource.RefreshCookie, refreshToken, RefreshPath, httpOnly: true),
        SetCookie(TokenSource.RefreshCsrfCookie, CsrfOf(refreshToken), CsrfPath, httpOnly: false),
    ];

    /// <summary>The same four cookies emptied and expired (RFC 6265 §3.1: same name, path and domain); none when cookie mode is off.</summary>
    public (string Name, string Value)[] Clear() => !_enabled ? [] :
    [
        Expired(TokenSource.AccessCookie, AccessPath, httpOnly: true),
        Expired(TokenSource.AccessCsrfCookie, CsrfPath, httpOnly: false),
        Expired(TokenSource.RefreshCookie, RefreshPath, httpOnly: true),
        Expired(TokenSource.RefreshCsrfCookie, CsrfPath, httpOnly: false),
    ];

    private (string, string) SetCookie(string name, string value, string path, bool httpOnly) =>
        ("Set-Cookie", $"{name}={value}; Path={path}; Secure;{(httpOnly ? " HttpOnly;" : string.Empty)} SameSite={_sameSite}");

    private (string, string) Expired(string name, string path, bool httpOnly) =>
        ("Set-Cookie", $"{name}=; Path={path}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure;{(httpOnly ? " HttpOnly;" : string.Empty)} SameSite={_sameSite}");

    /// <summary>The <c>csrf</c> claim of a token this service has just signed (flask-jwt-extended's get_csrf_token).</summary>
    private static string CsrfOf(string token) =>
        new JsonWebToken(token).TryGetPayloadValue<string>(TokenService.CsrfClaim, out var csrf) && !string.IsNullOrEmpty(csrf)
            ? csrf
            : throw new InvalidOperationException("A token issued in cookie mode has no csrf claim.");
}
