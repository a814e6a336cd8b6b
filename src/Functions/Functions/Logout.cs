using System.Net;
using JwtFunctions.Accounts;
using JwtFunctions.Http;
using JwtFunctions.Middleware;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.Functions;

/// <summary>
/// <c>POST /api/v1.0/logout</c> with an access token: revokes this session's refresh tokens, or with
/// <c>{"all": true}</c> every refresh token of the user. Answers 204.
/// </summary>
public sealed class Logout(AccountService accounts)
{
    [Function(nameof(Logout))]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1.0/logout")] HttpRequestData request,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.LogoutRequest, optional: true, cancellationToken);
        if (error is not null)
        {
            return await request.ErrorAsync(error);
        }

        await accounts.LogoutAsync(context.GetRequiredTokenPrincipal(), body?.All == true, cancellationToken);
        return request.CreateResponse(HttpStatusCode.NoContent);
    }
}
