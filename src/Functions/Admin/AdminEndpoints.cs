using System.Globalization;
using System.Net;
using JwtFunctions.Accounts;
using JwtFunctions.Authentication;
using JwtFunctions.Endpoints;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.Admin;

/// <summary>
/// The admin API under <c>/api/v1.0/admin/users</c>. Every function requires the <c>admin</c> role
/// (403 <c>insufficient_scope</c> otherwise, from the Bearer middleware); the acting admin is the
/// token's subject, named in every audit event.
/// </summary>
public sealed class AdminUsers(UserAdministration admin)
{
    [Function("AdminCreateUser")]
    [RequireRole(AccessRights.AdminRole)]
    public async Task<HttpResponseData> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1.0/admin/users")] HttpRequestData request,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(request, AdminJsonContext.Default.CreateUserRequest, optional: false, cancellationToken);
        if (error is not null)
        {
            return await request.ErrorAsync(error);
        }

        var result = await admin.CreateAsync(Actor(context), body!.Username, body.Password, body.Roles, body.Scope, cancellationToken);
        if (result != AdminResult.Done)
        {
            return await request.ErrorAsync(AdminResponses.Error(result));
        }

        // Deleted again by another admin in between: it is gone, as a read would say.
        return await admin.GetAsync(body.Username, cancellationToken) is { } created
            ? await request.JsonAsync(HttpStatusCode.Created, UserResponse.From(created), AdminJsonContext.Default.UserResponse)
            : await request.ErrorAsync(AdminResponses.Error(AdminResult.NotFound));
    }

    [Function("AdminListUsers")]
    [RequireRole(AccessRights.AdminRole)]
    public async Task<HttpResponseData> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1.0/admin/users")] HttpRequestData request,
        CancellationToken cancellationToken)
    {
        var limitValues = request.Query.GetValues("limit");
        var continuationValues = request.Query.GetValues("continuation");
        if (limitValues is { Length: > 1 } || continuationValues is { Length: > 1 })
        {
            return await request.ErrorAsync(ApiError.BadRequest("limit and continuation may each be given once"));
        }

        int? limit = null;
        if (limitValues is [var text])
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return await request.ErrorAsync(AdminResponses.Error(AdminResult.InvalidLimit));
            }

            limit = parsed;
        }

        var (page, result) = await admin.ListAsync(limit, continuationValues is [var c] ? c : null, cancellationToken);
        if (page is null)
        {
            return await request.ErrorAsync(AdminResponses.Error(result));
        }

        return await request.JsonAsync(HttpStatusCode.OK, new UserPageResponse([.. page.Users.Select(UserResponse.From)], page.Continuation),
            AdminJsonContext.Default.UserPageResponse, ("Cache-Control", "no-store"));
    }

    [Function("AdminGetUser")]
    [RequireRole(AccessRights.AdminRole)]
    public async Task<HttpResponseData> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1.0/admin/users/{username}")] HttpRequestData request,
        string username,
        CancellationToken cancellationToken) =>
        await admin.GetAsync(username, cancellationToken) is { } user
            ? await request.JsonAsync(HttpStatusCode.OK, UserResponse.From(user), AdminJsonContext.Default.UserResponse, ("Cache-Control", "no-store"))
            : await request.ErrorAsync(AdminResponses.Error(AdminResult.NotFound));

    [Function("AdminSetUserRoles")]
    [RequireRole(AccessRights.AdminRole)]
    public async Task<HttpResponseData> SetRoles(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1.0/admin/users/{username}/roles")] HttpRequestData request,
        string username,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(request, AdminJsonContext.Default.SetRolesRequest, optional: false, cancellationToken);
        if (error is not null)
        {
            return await request.ErrorAsync(error);
        }

        return await AdminResponses.DoneAsync(request, await admin.SetRolesAsync(Actor(context), username, body!.Roles, cancellationToken));
    }

    /// <summary><c>POST .../{username}/disable</c>, <c>enable</c>, <c>unlock</c>, <c>revoke</c> (no body) and <c>password</c> (<c>{"new_password"}</c>).</summary>
    [Function("AdminUserAction")]
    [RequireRole(AccessRights.AdminRole)]
    public async Task<HttpResponseData> Action(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1.0/admin/users/{username}/{action}")] HttpRequestData request,
        string username,
        string action,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var actor = Actor(context);
        if (action == "password")
        {
            var (body, error) = await JsonBody.ReadAsync(request, AdminJsonContext.Default.ResetPasswordRequest, optional: false, cancellationToken);
            if (error is not null)
            {
                return await request.ErrorAsync(error);
            }

            return await AdminResponses.DoneAsync(request, await admin.ResetPasswordAsync(actor, username, body!.NewPassword, cancellationToken), newPassword: true);
        }

        Func<string, string, CancellationToken, Task<AdminResult>>? run = action switch
        {
            "disable" => admin.DisableAsync,
            "enable" => admin.EnableAsync,
            "unlock" => admin.UnlockAsync,
            "revoke" => admin.RevokeAllAsync,
            _ => null,
        };
        if (run is null)
        {
            return await request.ErrorAsync(new ApiError(HttpStatusCode.NotFound, OAuthErrors.NotFound, "No such endpoint"));
        }

        // These take no body: one that is sent must be empty (or JSON whitespace), not ignored.
        var (bytes, bodyError) = await JsonBody.ReadBytesAsync(request, cancellationToken);
        if (bodyError is not null || bytes.Length > 0)
        {
            return await request.ErrorAsync(bodyError ?? ApiError.BadRequest("This action takes no request body"));
        }

        return await AdminResponses.DoneAsync(request, await run(actor, username, cancellationToken));
    }

    [Function("AdminDeleteUser")]
    [RequireRole(AccessRights.AdminRole)]
    public async Task<HttpResponseData> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1.0/admin/users/{username}")] HttpRequestData request,
        string username,
        FunctionContext context,
        CancellationToken cancellationToken) =>
        await AdminResponses.DoneAsync(request, await admin.DeleteAsync(Actor(context), username, cancellationToken));

    private static string Actor(FunctionContext context) => context.GetRequiredTokenPrincipal().Subject;
}

/// <summary>Admin results to HTTP, in one place.</summary>
public static class AdminResponses
{
    public static async Task<HttpResponseData> DoneAsync(HttpRequestData request, AdminResult result, bool newPassword = false) =>
        result == AdminResult.Done ? request.CreateResponse(HttpStatusCode.NoContent) : await request.ErrorAsync(Error(result, newPassword));

    public static ApiError Error(AdminResult result, bool newPassword = false) => result switch
    {
        AdminResult.NotFound => new ApiError(HttpStatusCode.NotFound, OAuthErrors.NotFound, "No such user"),
        AdminResult.UsernameTaken => new ApiError(HttpStatusCode.Conflict, OAuthErrors.UsernameTaken, "That username is taken"),
        AdminResult.LastAdmin => new ApiError(HttpStatusCode.Conflict, LastAdminError, "The last enabled admin cannot be demoted, disabled or deleted; make another user admin first"),
        AdminResult.InvalidUsername => ApiError.BadRequest($"username must be {Usernames.MinLength}-{Usernames.MaxLength} characters of letters, digits and . _ @ -"),
        AdminResult.InvalidPassword => ApiError.BadRequest(Passwords.Describe(PasswordProblem.Length, newPassword ? "new_password" : "password")),
        AdminResult.CommonPassword => ApiError.BadRequest(Passwords.Describe(PasswordProblem.Common, newPassword ? "new_password" : "password")),
        AdminResult.InvalidRoles => ApiError.BadRequest($"roles must be an array of role names, each {AccessRights.Rule}"),
        AdminResult.InvalidScope => ApiError.BadRequest($"scope must be space-separated scope names, each {AccessRights.Rule}"),
        AdminResult.InvalidLimit => ApiError.BadRequest($"limit must be a whole number from 1 to {UserAdministration.MaxPageSize}"),
        AdminResult.InvalidContinuation => ApiError.BadRequest("continuation must be the value a previous page returned"),
        _ => new ApiError(HttpStatusCode.ServiceUnavailable, OAuthErrors.TemporarilyUnavailable, "Another change to the admins is in progress; try again shortly"),
    };

    public const string LastAdminError = "last_admin";
}
