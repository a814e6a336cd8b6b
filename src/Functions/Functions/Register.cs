using System.Net;
using JwtFunctions.Accounts;
using JwtFunctions.Http;
using JwtFunctions.Middleware;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.Functions;

/// <summary><c>POST /api/v1.0/register</c>: creates an account; 404 unless <c>Accounts:RegistrationEnabled</c>.</summary>
public sealed class Register(AccountService accounts)
{
    [Function(nameof(Register))]
    [AllowAnonymous]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1.0/register")] HttpRequestData request,
        CancellationToken cancellationToken)
    {
        if (!accounts.RegistrationEnabled)
        {
            // As if the route did not exist: a disabled endpoint reveals nothing.
            return await request.ErrorAsync(new ApiError(HttpStatusCode.NotFound, OAuthErrors.NotFound, "No such endpoint"));
        }

        var (body, error) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.CredentialsRequest, optional: false, cancellationToken);
        if (error is not null)
        {
            return await request.ErrorAsync(error);
        }

        return await accounts.RegisterAsync(body!.Username, body.Password, cancellationToken) switch
        {
            RegistrationResult.Created => await request.JsonAsync(HttpStatusCode.Created, new RegisteredResponse(body.Username!.ToLowerInvariant()), ApiJsonContext.Default.RegisteredResponse),
            RegistrationResult.UsernameTaken => await request.ErrorAsync(new ApiError(HttpStatusCode.Conflict, OAuthErrors.UsernameTaken, "That username is taken")),
            RegistrationResult.InvalidUsername => await request.ErrorAsync(ApiError.BadRequest(
                $"username must be {Usernames.MinLength}-{Usernames.MaxLength} characters of letters, digits and . _ @ -")),
            RegistrationResult.InvalidPassword => await request.ErrorAsync(ApiError.BadRequest(
                $"password must be {Passwords.MinLength}-{Passwords.MaxLength} characters")),
            _ => await request.ErrorAsync(new ApiError(HttpStatusCode.NotFound, OAuthErrors.NotFound, "No such endpoint")),
        };
    }
}
