using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using JwtFunctions.Accounts;
using JwtFunctions.Authentication;
using JwtFunctions.Tokens;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Primitives;

namespace JwtFunctions.Endpoints;

/// <summary>Shapes every response the API sends: JSON bodies, OAuth-style errors, Bearer challenges.</summary>
public static class ApiResponses
{
    /// <summary>Seconds a client should wait after a 503 (RFC 9110 §10.2.3).</summary>
    public const int RetryAfterSeconds = 5;

    private static readonly string RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);

    private static readonly ApiError KeysUnavailable = new(HttpStatusCode.ServiceUnavailable, OAuthErrors.TemporarilyUnavailable, "The token service is not ready; try again shortly");
    private static readonly ApiError StorageUnavailable = new(HttpStatusCode.ServiceUnavailable, OAuthErrors.TemporarilyUnavailable, "A storage dependency is unavailable; try again shortly");

    /// <summary>A JSON response: <paramref name="body"/> serialized, then as <see cref="JsonBytesAsync"/>.</summary>
    public static Task<HttpResponseData> JsonAsync<T>(this HttpRequestData request, HttpStatusCode status, T body, JsonTypeInfo<T> type, params (string Name, string Value)[] headers) =>
        request.JsonBytesAsync(status, JsonSerializer.SerializeToUtf8Bytes(body, type), headers);

    /// <summary>
    /// A response of JSON already serialized, with Content-Length. Every header is set before the
    /// body is written: under ASP.NET Core integration the response writes through to the server,
    /// whose headers are sent (and then read-only) at the first body write. There the headers go
    /// straight to <c>HttpContext.Response.Headers</c>: the worker's <see cref="HttpResponseData.Headers"/>
    /// would copy them into a collection of its own and back again when the response starts.
    /// </summary>
    public static async Task<HttpResponseData> JsonBytesAsync(this HttpRequestData request, HttpStatusCode status, byte[] bytes, params (string Name, string Value)[] headers)
    {
        var response = request.CreateResponse(status);
#if HTTP_ASPNETCORE
        if (request.FunctionContext.GetHttpContext() is { } http)
        {
            var server = http.Response.Headers;
            server.ContentType = JsonContentType;
            foreach (var (name, value) in headers)
            {
                server[name] = StringValues.Concat(server[name], value);
            }

            http.Response.ContentLength = bytes.Length;
            await http.Response.Body.WriteAsync(bytes).ConfigureAwait(false);
            return response;
        }
#endif
        response.Headers.Add("Content-Type", JsonContentType);
        foreach (var (name, value) in headers)
        {
            response.Headers.Add(name, value);
        }

        response.Headers.Add("Content-Length", bytes.Length.ToString(CultureInfo.InvariantCulture));
        await response.Body.WriteAsync(bytes).ConfigureAwait(false);
        return response;
    }

    private const string JsonContentType = "application/json; charset=utf-8";

    public static Task<HttpResponseData> ErrorAsync(this HttpRequestData request, ApiError error)
    {
        var headers = new List<(string Name, string Value)>(2);
        if (error.Challenge is not null)
        {
            headers.Add(("WWW-Authenticate", error.Challenge));
        }

        if (error.RetryAfterSeconds is { } seconds)
        {
            headers.Add(("Retry-After", seconds.ToString(CultureInfo.InvariantCulture)));
        }
        else if (error.Status == HttpStatusCode.ServiceUnavailable)
        {
            headers.Add(("Retry-After", RetryAfter));
        }

        return request.JsonAsync(error.Status, new ErrorResponse(error.Error, error.Description), ApiJsonContext.Default.ErrorResponse, [.. headers]);
    }

    /// <summary>A refused token: 401 with the RFC 6750 challenge, or 503 when no key is loaded.</summary>
    public static Task<HttpResponseData> TokenRejectedAsync(this HttpRequestData request, TokenFailure failure) =>
        request.ErrorAsync(TokenRejection(failure));

    public static ApiError TokenRejection(TokenFailure failure) => TokenFailures.IsUnavailable(failure)
        ? KeysUnavailable
        : new ApiError(HttpStatusCode.Unauthorized, OAuthErrors.InvalidToken, TokenFailures.Describe(failure), BearerChallenge.InvalidToken(failure));

    /// <summary>No token at all: 401 with a bare <c>Bearer</c> challenge (RFC 6750 §3.1: no error code).</summary>
    public static Task<HttpResponseData> TokenMissingAsync(this HttpRequestData request) =>
        request.ErrorAsync(new ApiError(HttpStatusCode.Unauthorized, OAuthErrors.InvalidToken, "An access token is required", BearerChallenge.Bare));

    /// <summary>A valid token without a role or scope the function requires: 403 <c>insufficient_scope</c> (RFC 6750 §3.1).</summary>
    public static Task<HttpResponseData> InsufficientScopeAsync(this HttpRequestData request, AccessRequirement requirement, AccessShortfall shortfall) =>
        request.ErrorAsync(InsufficientScope(requirement, shortfall));

    public static ApiError InsufficientScope(AccessRequirement requirement, AccessShortfall shortfall)
    {
        var description = shortfall == AccessShortfall.Role ? "The access token lacks a required role" : "The access token lacks a required scope";
        return new ApiError(HttpStatusCode.Forbidden, OAuthErrors.InsufficientScope, description, BearerChallenge.InsufficientScope(description, requirement.Scopes));
    }

    public static Task<HttpResponseData> StorageUnavailableAsync(this HttpRequestData request) => request.ErrorAsync(StorageUnavailable);

    /// <summary>
    /// Too many password attempts from this source or on this username (<see cref="LoginThrottle"/>):
    /// 429 with <c>Retry-After</c> in whole seconds until the window ends (RFC 6585 §4).
    /// </summary>
    public static Task<HttpResponseData> ThrottledAsync(this HttpRequestData request, TimeSpan retryAfter) =>
        request.ErrorAsync(new ApiError(HttpStatusCode.TooManyRequests, OAuthErrors.TooManyRequests,
            "Too many password attempts; try again after the Retry-After delay", RetryAfterSeconds: (int)Math.Ceiling(retryAfter.TotalSeconds)));

    /// <summary>Tokens (RFC 6749 §5.1: no caching of responses that carry them), or the grant's failure.</summary>
    /// <remarks>With cookie mode on, the tokens also go out as cookies (<paramref name="cookies"/>), and with cookies only, not in the body.</remarks>
    public static async Task<HttpResponseData> GrantAsync(this HttpRequestData request, TokenGrant grant, TokenCookies? cookies = null)
    {
        if (grant.Tokens is not { } tokens)
        {
            return await request.ErrorAsync(grant.Failure switch
            {
                GrantFailure.KeysUnavailable => KeysUnavailable,
                GrantFailure.InvalidRefreshToken => new ApiError(HttpStatusCode.Unauthorized, OAuthErrors.InvalidGrant,
                    "The refresh token is invalid, spent or revoked", BearerChallenge.InvalidToken("The refresh token is invalid, spent or revoked")),
                _ => new ApiError(HttpStatusCode.Unauthorized, OAuthErrors.InvalidGrant, "The username or password is incorrect", BearerChallenge.Bare),
            }).ConfigureAwait(false);
        }

        var inBody = cookies is not { Enabled: true, InBody: false };
        return await request.JsonAsync(
            HttpStatusCode.OK,
            new TokenResponse(inBody ? tokens.AccessToken : null, inBody ? tokens.RefreshToken : null, "Bearer", tokens.ExpiresIn),
            ApiJsonContext.Default.TokenResponse,
            [("Cache-Control", "no-store"), ("Pragma", "no-cache"), .. cookies?.Issue(tokens.AccessToken, tokens.RefreshToken) ?? []]).ConfigureAwait(false);
    }
}

/// <summary>A client error to answer with: status, OAuth-style body, optional <c>WWW-Authenticate</c> challenge.</summary>
public sealed record ApiError(HttpStatusCode Status, string Error, string Description, string? Challenge = null, int? RetryAfterSeconds = null)
{
    public static ApiError BadRequest(string description) => new(HttpStatusCode.BadRequest, OAuthErrors.InvalidRequest, description);
}

/// <summary>The <c>error</c> codes this API answers with (RFC 6749 §5.2, RFC 6750 §3.1).</summary>
public static class OAuthErrors
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidGrant = "invalid_grant";
    public const string InvalidToken = "invalid_token";
    public const string InsufficientScope = "insufficient_scope";
    public const string TemporarilyUnavailable = "temporarily_unavailable";
    public const string ServerError = "server_error";
    public const string NotFound = "not_found";
    public const string UsernameTaken = "username_taken";
    public const string TooManyRequests = "too_many_requests";
}

/// <summary><c>WWW-Authenticate</c> values (RFC 6750 §3).</summary>
public static class BearerChallenge
{
    /// <summary>No credentials were sent: a bare challenge, no error code (RFC 6750 §3.1).</summary>
    public const string Bare = "Bearer";

    public static string InvalidToken(string description) => $"Bearer error=\"{OAuthErrors.InvalidToken}\", error_description=\"{description}\"";

    public static string InvalidToken(TokenFailure failure) => InvalidToken(TokenFailures.Describe(failure));

    /// <summary>
    /// RFC 6750 §3.1 <c>insufficient_scope</c>, with the <c>scope</c> attribute (§3) listing every
    /// scope the function requires when it requires any. Role and scope names never need quoting
    /// (see <see cref="Admin.AccessRights"/>; attribute arguments are checked by the tests).
    /// </summary>
    public static string InsufficientScope(string description, IReadOnlyList<string> scopes) => scopes.Count == 0
        ? $"Bearer error=\"{OAuthErrors.InsufficientScope}\", error_description=\"{description}\""
        : $"Bearer error=\"{OAuthErrors.InsufficientScope}\", error_description=\"{description}\", scope=\"{string.Join(' ', scopes)}\"";
}
