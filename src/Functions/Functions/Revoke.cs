using System.Net;
using JwtFunctions.Http;
using JwtFunctions.Middleware;
using JwtFunctions.Revocation;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.Functions;

/// <summary>
/// <c>POST /api/v1.0/revoke</c> (RFC 7009): <c>token</c> and optional <c>token_type_hint</c>.
/// Answers 200 for every well-formed request, whether or not the token was valid or known (§2.2),
/// so it reveals nothing about tokens. Holding the token is the authorization to revoke it.
/// </summary>
public sealed class Revoke(TokenRevoker revoker)
{
    [Function(nameof(Revoke))]
    [AllowAnonymous]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1.0/revoke")] HttpRequestData request,
        CancellationToken cancellationToken)
    {
        var (body, error) = await RevocationBody.ReadAsync(request, cancellationToken);
        if (error is not null)
        {
            return await request.ErrorAsync(error);
        }

        if (!await revoker.RevokeAsync(body!.Token!, body.TokenTypeHint, cancellationToken))
        {
            return await request.TokenRejectedAsync(Tokens.TokenFailure.KeysUnavailable);
        }

        var response = request.CreateResponse(HttpStatusCode.OK);
        response.Headers.Add("Cache-Control", "no-store");
        return response;
    }
}
