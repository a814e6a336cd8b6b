using System.Net;

namespace JwtFunctions.Http;

/// <summary>A client error to answer with: status, OAuth-style body, optional <c>WWW-Authenticate</c> challenge.</summary>
public sealed record ApiError(HttpStatusCode Status, string Error, string Description, string? Challenge = null)
{
    public static ApiError BadRequest(string description) => new(HttpStatusCode.BadRequest, OAuthErrors.InvalidRequest, description);
}
