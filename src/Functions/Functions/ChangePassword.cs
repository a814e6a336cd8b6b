using System.Net;
using JwtFunctions.Accounts;
using JwtFunctions.Http;
using JwtFunctions.Middleware;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.Functions;

/// <summary>
/// <c>POST /api/v1.0/password</c> with an access token and <c>{"current_password","new_password"}</c>.
/// Answers 204; every token of the user, this one included, stops working: log in again.
/// </summary>
public sealed class ChangePassword(AccountService accounts)
{
    [Function(nameof(ChangePassword))]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1.0/password")] HttpRequestData request,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.PasswordChangeRequest, optional: false, cancellationToken);
        if (error is not null)
        {
            return await request.ErrorAsync(error);
        }

        if (Credentials.AreTooLong(null, body!.CurrentPassword))
        {
            return await request.ErrorAsync(Credentials.TooLong);
        }

        return await accounts.ChangePasswordAsync(context.GetRequiredTokenPrincipal(), body!.CurrentPassword, body.NewPassword, cancellationToken) switch
        {
            PasswordChangeResult.Changed => request.CreateResponse(HttpStatusCode.NoContent),
            PasswordChangeResult.InvalidNewPassword => await request.ErrorAsync(ApiError.BadRequest(
                $"new_password must be {Passwords.MinLength}-{Passwords.MaxLength} characters")),
            _ => await request.ErrorAsync(new ApiError(HttpStatusCode.BadRequest, OAuthErrors.InvalidGrant, "The current password is incorrect")),
        };
    }
}
