using JwtFunctions.Accounts;
using JwtFunctions.Http;
using JwtFunctions.Middleware;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.Functions;

/// <summary><c>POST /api/v1.0/login</c>: username + password -> access and refresh token.</summary>
public sealed class Login(AccountService accounts)
{
    [Function(nameof(Login))]
    [AllowAnonymous]
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

        return await request.GrantAsync(await accounts.LoginAsync(body!.Username, body.Password, cancellationToken));
    }
}
