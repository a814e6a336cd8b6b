using System.Net;
using JwtFunctions.Accounts;
using JwtFunctions.Authentication;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.Endpoints;

/// <summary><c>POST /api/v1.0/register</c>: creates an account; 404 unless <c>Accounts:RegistrationEnabled</c>.</summary>
public sealed class Register(AccountService accounts, LoginThrottle throttle)
{
    [Function(nameof(Register))]
    [AnonymousFunction]
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

        // Each registration costs a password hash: counted per source before any.
        if (await throttle.TryAcquireAsync(ClientAddress.Of(request), username: null, cancellationToken) is { } retryAfter)
        {
            return await request.ThrottledAsync(retryAfter);
        }

        return await accounts.RegisterAsync(body!.Username, body.Password, cancellationToken) switch
        {
            RegistrationResult.Created => await request.JsonAsync(HttpStatusCode.Created, new RegisteredResponse(body.Username!.ToLowerInvariant()), ApiJsonContext.Default.RegisteredResponse),
            RegistrationResult.UsernameTaken => await request.ErrorAsync(new ApiError(HttpStatusCode.Conflict, OAuthErrors.UsernameTaken, "That username is taken")),
            RegistrationResult.InvalidUsername => await request.ErrorAsync(ApiError.BadRequest(
                $"username must be {Usernames.MinLength}-{Usernames.MaxLength} characters of letters, digits and . _ @ -")),
            RegistrationResult.InvalidPassword => await request.ErrorAsync(ApiError.BadRequest(Passwords.Describe(PasswordProblem.Length, "password"))),
            RegistrationResult.CommonPassword => await request.ErrorAsync(ApiError.BadRequest(Passwords.Describe(PasswordProblem.Common, "password"))),
            _ => await request.ErrorAsync(new ApiError(HttpStatusCode.NotFound, OAuthErrors.NotFound, "No such endpoint")),
        };
    }
}

/// <summary>
/// <c>POST /api/v1.0/password</c> with an access token and <c>{"current_password","new_password"}</c>.
/// Answers 204; every token of the user, this one included, stops working: log in again.
/// </summary>
public sealed class ChangePassword(AccountService accounts, LoginThrottle throttle)
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

        // The current password is a password attempt: counted per source and per user before any hashing.
        var caller = context.GetRequiredTokenPrincipal();
        if (await throttle.TryAcquireAsync(ClientAddress.Of(request), caller.Subject, cancellationToken) is { } retryAfter)
        {
            return await request.ThrottledAsync(retryAfter);
        }

        return await accounts.ChangePasswordAsync(caller, body!.CurrentPassword, body.NewPassword, cancellationToken) switch
        {
            PasswordChangeResult.Changed => request.CreateResponse(HttpStatusCode.NoContent),
            PasswordChangeResult.InvalidNewPassword => await request.ErrorAsync(ApiError.BadRequest(Passwords.Describe(PasswordProblem.Length, "new_password"))),
            PasswordChangeResult.CommonNewPassword => await request.ErrorAsync(ApiError.BadRequest(Passwords.Describe(PasswordProblem.Common, "new_password"))),
            _ => await request.ErrorAsync(new ApiError(HttpStatusCode.BadRequest, OAuthErrors.InvalidGrant, "The current password is incorrect")),
        };
    }
}

/// <summary><c>GET /api/v1.0/protected</c>: who the access token speaks for, as the flask-jwt-extended tutorial's <c>{"username"}</c>.</summary>
public sealed class Protected
{
    // The caller comes from request.FunctionContext: a FunctionContext parameter of its own costs
    // the worker one more input conversion per request on the hottest path.
    [Function(nameof(Protected))]
    public Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1.0/protected")] HttpRequestData request) =>
        request.JsonAsync(HttpStatusCode.OK, new UsernameResponse(request.FunctionContext.GetRequiredTokenPrincipal().Subject), ApiJsonContext.Default.UsernameResponse);
}

/// <summary><c>GET /api/v1.0/me</c>: the caller, its roles and scopes as its access token carries them (RFC 9068 §2.2.3).</summary>
public sealed class Me
{
    [Function(nameof(Me))]
    public Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1.0/me")] HttpRequestData request,
        FunctionContext context)
    {
        var caller = context.GetRequiredTokenPrincipal();
        return request.JsonAsync(HttpStatusCode.OK, new MeResponse(caller.Subject, caller.Roles, caller.Scope), ApiJsonContext.Default.MeResponse);
    }
}
