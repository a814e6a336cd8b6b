using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using System.Web;
using JwtFunctions.Accounts;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.Endpoints;

/// <summary>Reads a bounded JSON request body, turning every client mistake into an <see cref="ApiError"/>.</summary>
public static class JsonBody
{
    /// <summary>Largest accepted body; larger ones get 413.</summary>
    public const int MaxBytes = 16 * 1024;

    private static readonly ApiError TooLarge = new(HttpStatusCode.RequestEntityTooLarge, OAuthErrors.InvalidRequest, "The request body is larger than 16 KiB");
    public static readonly ApiError NotJson = new(HttpStatusCode.UnsupportedMediaType, OAuthErrors.InvalidRequest, "The request body must be application/json");
    private static readonly ApiError Missing = ApiError.BadRequest("The request body must be a JSON object");
    private static readonly ApiError Malformed = ApiError.BadRequest("The request body is not valid JSON of the expected shape");
    private static readonly ApiError NotUtf8 = ApiError.BadRequest("The request body is not valid UTF-8");

    /// <summary>
    /// The body as <typeparamref name="T"/>. With <paramref name="optional"/>, an empty body gives
    /// <c>(null, null)</c>; otherwise it is an error.
    /// </summary>
    public static async Task<(T? Value, ApiError? Error)> ReadAsync<T>(HttpRequestData request, JsonTypeInfo<T> type, bool optional, CancellationToken cancellationToken)
        where T : class
    {
        var (body, error) = await ReadBytesAsync(request, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return (null, error);
        }

        if (body.Length == 0)
        {
            return optional ? (null, null) : (null, Missing);
        }

        return IsMediaType(request, "application/json") ? Parse(body.Span, type) : (null, NotJson);
    }

    /// <summary>The body as <typeparamref name="T"/>, from bytes already read.</summary>
    public static (T? Value, ApiError? Error) Parse<T>(ReadOnlySpan<byte> body, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            var value = JsonSerializer.Deserialize(body, type);
            return value is null ? (null, Missing) : (value, null);
        }
        catch (JsonException)
        {
            return (null, Malformed);
        }
    }

    /// <summary>The whole body, at most <see cref="MaxBytes"/>; empty when it holds only white space.</summary>
    public static async Task<(ReadOnlyMemory<byte> Body, ApiError? Error)> ReadBytesAsync(HttpRequestData request, CancellationToken cancellationToken)
    {
        if (TryGetContentLength(request, out var declared) && declared > MaxBytes)
        {
            return (default, TooLarge);
        }

        var buffer = new byte[MaxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        if (length > MaxBytes)
        {
            return (default, TooLarge);
        }

        // The JSON reader skips unknown members without decoding them, so check the whole body:
        // a body that is not UTF-8 is malformed wherever the bad bytes are (RFC 8259 §8.1).
        if (!Utf8.IsValid(buffer.AsSpan(0, length)))
        {
            return (default, NotUtf8);
        }

        return buffer.AsSpan(0, length).Trim(" \t\r\n"u8).IsEmpty ? (default, null) : (buffer.AsMemory(0, length), null);
    }

    /// <summary>
    /// Whether the single Content-Type is <paramref name="mediaType"/> (for JSON also any
    /// <c>application/*+json</c>), in UTF-8 if a charset is given.
    /// </summary>
    public static bool IsMediaType(HttpRequestData request, string mediaType) =>
        request.Headers.TryGetValues("Content-Type", out var values)
        && values.Count() == 1
        && MediaTypeHeaderValue.TryParse(values.First(), out var parsed)
        && (string.Equals(parsed.MediaType, mediaType, StringComparison.OrdinalIgnoreCase)
            || (mediaType == "application/json"
                && parsed.MediaType?.StartsWith("application/", StringComparison.OrdinalIgnoreCase) == true
                && parsed.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        && (parsed.CharSet is null || string.Equals(parsed.CharSet, "utf-8", StringComparison.OrdinalIgnoreCase));

    private static bool TryGetContentLength(HttpRequestData request, out long length)
    {
        length = 0;
        return request.Headers.TryGetValues("Content-Length", out var values)
            && long.TryParse(values.FirstOrDefault(), out length);
    }
}

/// <summary>
/// Reads an RFC 7009 §2.1 revocation request: <c>application/x-www-form-urlencoded</c> as the RFC
/// says, or JSON like the rest of this API.
/// </summary>
public static class RevocationBody
{
    private static readonly ApiError MissingToken = ApiError.BadRequest("The token parameter is required");
    private static readonly ApiError Repeated = ApiError.BadRequest("Request parameters must not be repeated");
    private static readonly ApiError Unsupported = new(HttpStatusCode.UnsupportedMediaType, OAuthErrors.InvalidRequest,
        "The request body must be application/x-www-form-urlencoded or application/json");

    public static async Task<(RevocationRequest? Value, ApiError? Error)> ReadAsync(HttpRequestData request, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadBytesAsync(request, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return (null, error);
        }

        if (body.Length == 0)
        {
            return (null, MissingToken);
        }

        RevocationRequest? parsed;
        if (JsonBody.IsMediaType(request, "application/x-www-form-urlencoded"))
        {
            // RFC 6749 §3.1 (which RFC 7009 builds on): parameters sent without a value are
            // treated as omitted, and must not be included more than once.
            var form = HttpUtility.ParseQueryString(Encoding.UTF8.GetString(body.Span));
            if (form.AllKeys.Any(key => form.GetValues(key)?.Length > 1))
            {
                return (null, Repeated);
            }

            parsed = new RevocationRequest(form["token"], form["token_type_hint"]);
        }
        else if (JsonBody.IsMediaType(request, "application/json"))
        {
            (parsed, error) = JsonBody.Parse(body.Span, ApiJsonContext.Default.RevocationRequest);
            if (error is not null)
            {
                return (null, error);
            }
        }
        else
        {
            return (null, Unsupported);
        }

        return string.IsNullOrEmpty(parsed?.Token) ? (null, MissingToken) : (parsed, null);
    }
}

/// <summary>Length limits on submitted credentials, checked before any storage or hashing work.</summary>
public static class Credentials
{
    public static readonly ApiError TooLong = ApiError.BadRequest(
        $"username is at most {Usernames.MaxLength} and password at most {Passwords.MaxLength} characters");

    public static bool AreTooLong(string? username, string? password) =>
        username?.Length > Usernames.MaxLength || password?.Length > Passwords.MaxLength;
}
