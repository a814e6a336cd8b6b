using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Unicode;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.Http;

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
