using JwtFunctions.Accounts;
using JwtFunctions.Http;
using JwtFunctions.Middleware;
using JwtFunctions.Tokens;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.Functions;

/// <summary>
/// <c>POST /api/v1.0/refresh</c>: a refresh token (as <c>Authorization: Bearer</c>, as in the seed, or
/// as JSON <c>{"refresh_token"}</c>) -> a new access token and a rotated refresh token.
/// </summary>
public sealed class Refresh(AccountService accounts, TokenService tokens)
{
    [Function(nameof(Refresh))]
    [AcceptsRefreshToken]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1.0/refresh")] HttpRequestData request,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var principal = context.GetTokenPrincipal();
        if (principal is null)
        {
            var (body, error) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.RefreshRequest, optional: true, cancellationToken);
            if (error is not null)
            {
                return await request.ErrorAsync(error);
            }

            if (string.IsNullOrEmpty(body?.RefreshToken))
            {
                return await request.TokenMissingAsync();
            }

            var validation = await tokens.ValidateAsync(body.RefreshToken, TokenKind.Refresh, cancellationToken);
            if (!validation.Succeeded)
            {
                return await request.TokenRejectedAsync(validation.Failure);
            }

            principal = validation.Principal!;
        }

        return await request.GrantAsync(await accounts.RefreshAsync(principal, cancellationToken));
    }
}
