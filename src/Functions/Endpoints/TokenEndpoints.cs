using System.Net;
using JwtFunctions.Accounts;
using JwtFunctions.Authentication;
using JwtFunctions.Revocation;
using JwtFunctions.Tokens;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.Endpoints;

/// <summary><c>POST /api/v1.0/login</c>: username + password -> access and refresh token.</summary>
public sealed class Login(AccountService accounts, LoginThrottle throttle, TokenCookies? cookies = null)
{
    [Function(nameof(Login))]
    [AnonymousFunction]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1.0/login")] HttpRequestData request,
        CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.CredentialsRequest, optional: false, cancellationToken);
        if (error is not null)
        {
            return await request.ErrorAsync(error);
        }

        if (Credentials.AreTooLong(body!.Username, body.Password))
        {
            // Longer than any account can have: refused before any lookup or hashing, which
            // says nothing about whether the account exists.
            return await request.ErrorAsync(Credentials.TooLong);
        }

        // Counted per source and per username before any hashing.
        if (await throttle.TryAcquireAsync(ClientAddress.Of(request), body.Username, cancellationToken) is { } retryAfter)
        {
            return await request.ThrottledAsync(retryAfter);
        }

        return await request.GrantAsync(await accounts.LoginAsync(body!.Username, body.Password, cancellationToken), cookies);
    }
}

/// <summary>
/// <c>POST /api/v1.0/refresh</c>: a refresh token (as <c>Authorization: Bearer</c>, as in the flask-jwt-extended tutorial, or
/// as JSON <c>{"refresh_token"}</c>) -> a new access token and a rotated refresh token.
/// </summary>
public sealed class Refresh(AccountService accounts, TokenService tokens, TokenCookies? cookies = null)
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

        return await request.GrantAsync(await accounts.RefreshAsync(principal, cancellationToken), cookies);
    }
}

/// <summary>
/// <c>POST /api/v1.0/logout</c> with an access token: revokes this session's refresh tokens, or with
/// <c>{"all": true}</c> every refresh token of the user. Answers 204.
/// </summary>
public sealed class Logout(AccountService accounts, TokenCookies? cookies = null)
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
        var response = request.CreateResponse(HttpStatusCode.NoContent);
        foreach (var (name, value) in cookies?.Clear() ?? [])
        {
            response.Headers.Add(name, value);
        }

        return response;
    }
}

/// <summary>
/// <c>POST /api/v1.0/revoke</c> (RFC 7009): <c>token</c> and optional <c>token_type_hint</c>.
/// Answers 200 for every well-formed request, whether or not the token was valid or known (§2.2),
/// so it reveals nothing about tokens. Holding the token is the authorization to revoke it.
/// </summary>
public sealed class Revoke(TokenRevoker revoker)
{
    [Function(nameof(Revoke))]
    [AnonymousFunction]
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
