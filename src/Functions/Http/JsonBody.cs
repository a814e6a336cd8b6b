using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.Http;

/// <summary>Reads a bounded JSON request body, turning every client mistake into an <see cref="ApiError"/>.</summary>
public static class JsonBody
{
    /// <summary>Largest accepted body; larger ones get 413.</summary>
    public const int MaxBytes = 16 * 1024;

    private static readonly ApiError TooLarge = new(HttpStatusCode.RequestEntityTooLarge, OAuthErrors.InvalidRequest, "The request body is larger than 16 KiB");
    private static readonly ApiError NotJson = new(HttpStatusCode.UnsupportedMediaType, OAuthErrors.InvalidRequest, "The request body must be application/json");
    private static readonly ApiError Missing = ApiError.BadRequest("The request body must be a JSON object");
    private static readonly ApiError Malformed = ApiError.BadRequest("The request body is not valid JSON of the expected shape");

    /// <summary>
    /// The body as <typeparamref name="T"/>. With <paramref name="optional"/>, an empty body gives
    /// <c>(null, null)</c>; otherwise it is an error.
    /// </summary>
    public static async Task<(T? Value, ApiError? Error)> ReadAsync<T>(HttpRequestData request, JsonTypeInfo<T> type, bool optional, CancellationToken cancellationToken)
        where T : class
    {
        if (TryGetContentLength(request, out var declared) && declared > MaxBytes)
        {
            return (null, TooLarge);
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
            return (null, TooLarge);
        }

        if (length == 0 || buffer.AsSpan(0, length).Trim(" \t\r\n"u8).IsEmpty)
        {
            return optional ? (null, null) : (null, Missing);
        }

        if (!IsJson(request))
        {
            return (null, NotJson);
        }

        try
        {
            var value = JsonSerializer.Deserialize(buffer.AsSpan(0, length), type);
            return value is null ? (null, Missing) : (value, null);
        }
        catch (JsonException)
        {
            return (null, Malformed);
        }
    }

    private static bool IsJson(HttpRequestData request) =>
        request.Headers.TryGetValues("Content-Type", out var values)
        && values.Count() == 1
        && MediaTypeHeaderValue.TryParse(values.First(), out var mediaType)
        && (string.Equals(mediaType.MediaType, "application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.MediaType?.StartsWith("application/", StringComparison.OrdinalIgnoreCase) == true
                && mediaType.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        && (mediaType.CharSet is null || string.Equals(mediaType.CharSet, "utf-8", StringComparison.OrdinalIgnoreCase));

    private static bool TryGetContentLength(HttpRequestData request, out long length)
    {
        length = 0;
        return request.Headers.TryGetValues("Content-Length", out var values)
            && long.TryParse(values.FirstOrDefault(), out length);
    }
}
