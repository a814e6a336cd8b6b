using System.Net;
using System.Text;
using System.Web;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.Http;

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
