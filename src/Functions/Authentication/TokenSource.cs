using System.Security.Cryptography;
using System.Text;
using JwtFunctions.Endpoints;
using JwtFunctions.Tokens;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Authentication;

/// <summary>
/// Finds the caller's token where <c>Jwt:TokenLocation</c> says tokens travel, as
/// flask-jwt-extended does: the <c>Authorization: Bearer</c> header (RFC 6750 §2.1) and/or the
/// <c>access_token_cookie</c> / <c>refresh_token_cookie</c> cookie. A token taken from a cookie
/// on an unsafe method (POST, PUT, PATCH, DELETE: flask-jwt-extended's JWT_CSRF_METHODS) must come
/// with an <c>X-CSRF-TOKEN</c> header equal to the token's <c>csrf</c> claim (double submit,
/// OWASP CSRF Prevention Cheat Sheet): a cross-site page can make the browser send the cookie but
/// cannot read the CSRF cookie or set the header. A header token needs no CSRF header: a browser
/// never adds one by itself.
/// </summary>
public sealed class TokenSource(BearerAuthenticator authenticator, IOptions<JwtOptions> options)
{
    public const string AccessCookie = "access_token_cookie";
    public const string RefreshCookie = "refresh_token_cookie";
    public const string AccessCsrfCookie = "csrf_access_token";
    public const string RefreshCsrfCookie = "csrf_refresh_token";
    public const string CsrfHeader = "X-CSRF-TOKEN";

    private readonly bool _headers = options.Value.UsesHeaders();
    private readonly bool _cookies = options.Value.UsesCookies();

    public async ValueTask<BearerOutcome> AuthenticateAsync(HttpRequestData request, TokenKind kind, CancellationToken cancellationToken)
    {
        if (_headers)
        {
            // The raw header as received; ExtractToken parses it to RFC 6750 §2.1 ("Bearer" 1*SP b64token).
            var outcome = await authenticator.AuthenticateAsync(RequestHeaders.Get(request, "Authorization"), kind, cancellationToken).ConfigureAwait(false);
            if (!_cookies || !outcome.TokenMissing)
            {
                return outcome;
            }
        }

        var cookie = ReadCookie(request, kind == TokenKind.Refresh ? RefreshCookie : AccessCookie, out var duplicated);
        if (duplicated)
        {
            // Two cookies of one name (one planted for a narrower path or a parent domain):
            // never pick one.
            return new BearerOutcome(null, TokenFailure.Malformed);
        }

        if (cookie is null)
        {
            return BearerOutcome.NoToken;
        }

        string? csrf = null;
        var checkCsrf = IsUnsafe(request.Method);
        if (checkCsrf)
        {
            var values = RequestHeaders.Get(request, CsrfHeader);
            csrf = values.Count == 1 ? values.ToString() : null;
            if (string.IsNullOrEmpty(csrf))
            {
                return new BearerOutcome(null, TokenFailure.CsrfMissing);
            }
        }

        var result = await authenticator.AuthenticateAsync("Bearer " + cookie, kind, cancellationToken).ConfigureAwait(false);
        if (checkCsrf && result.Principal is { } principal && !CsrfMatches(principal.Csrf, csrf!))
        {
            return new BearerOutcome(null, TokenFailure.CsrfMismatch);
        }

        return result;
    }

    /// <summary>RFC 9110 §9.2.1: everything but the safe methods; flask-jwt-extended's JWT_CSRF_METHODS.</summary>
    public static bool IsUnsafe(string method) =>
        method.Equals("POST", StringComparison.OrdinalIgnoreCase) || method.Equals("PUT", StringComparison.OrdinalIgnoreCase)
        || method.Equals("PATCH", StringComparison.OrdinalIgnoreCase) || method.Equals("DELETE", StringComparison.OrdinalIgnoreCase);

    /// <summary>Constant time in the values' content (the length of a UUID is no secret).</summary>
    public static bool CsrfMatches(string? claim, string header) =>
        claim is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(claim), Encoding.UTF8.GetBytes(header));

    /// <summary>
    /// The value of the cookie <paramref name="name"/> from the <c>Cookie</c> header(s)
    /// (RFC 6265 §4.2.1: <c>name=value</c> pairs separated by <c>"; "</c>), or <c>null</c>.
    /// </summary>
    public static string? ReadCookie(HttpRequestData request, string name, out bool duplicated)
    {
        duplicated = false;
        string? found = null;
        foreach (var header in RequestHeaders.Get(request, "Cookie"))
        {
            foreach (var pair in (header ?? string.Empty).Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=');
                if (equals <= 0 || !pair.AsSpan(0, equals).TrimEnd().SequenceEqual(name))
                {
                    continue;
                }

                if (found is not null)
                {
                    duplicated = true;
                    return null;
                }

                found = pair[(equals + 1)..].Trim().Trim('"');
            }
        }

        return string.IsNullOrEmpty(found) ? null : found;
    }
}
