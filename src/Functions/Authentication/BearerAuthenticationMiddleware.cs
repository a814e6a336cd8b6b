using System.Security.Claims;
using JwtFunctions.Endpoints;
using JwtFunctions.Tokens;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;

namespace JwtFunctions.Authentication;

/// <summary>
/// Validates the Bearer token before any HTTP function runs; default deny. A refused request gets
/// its 401 (or 503) here and the function never runs. Non-HTTP triggers pass through untouched.
/// </summary>
public sealed class BearerAuthenticationMiddleware(
    EndpointAccessResolver access,
    TokenSource tokenSource,
    ILogger<BearerAuthenticationMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var required = access.Resolve(context.FunctionDefinition);
        if (required is EndpointAccess.Anonymous or EndpointAccess.NotHttp)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var request = await context.GetHttpRequestDataAsync().ConfigureAwait(false)
            ?? throw new InvalidOperationException($"HTTP function {context.FunctionDefinition.Name} has no HttpRequestData.");
        // The Authorization header and/or the token cookie with its CSRF check (Jwt:TokenLocation).
        var kind = required == EndpointAccess.RefreshToken ? TokenKind.Refresh : TokenKind.Access;
        var outcome = await tokenSource.AuthenticateAsync(request, kind, context.CancellationToken).ConfigureAwait(false);

        if (outcome.Principal is { } principal)
        {
            // RFC 6750 §3.1: a valid token without the role or scope the function needs is 403
            // insufficient_scope, answered here, so the function never runs.
            if (kind == TokenKind.Access && access.ResolveRequirement(context.FunctionDefinition) is var requirement
                && requirement != AccessRequirement.None && requirement.Check(principal) is var shortfall and not AccessShortfall.None)
            {
                MiddlewareLog.Forbidden(logger, context.FunctionDefinition.Name, principal.Subject, shortfall.ToString());
                context.GetInvocationResult().Value = await request.InsufficientScopeAsync(requirement, shortfall).ConfigureAwait(false);
                return;
            }

            context.SetTokenPrincipal(principal);
            await next(context).ConfigureAwait(false);
            return;
        }

        if (outcome.TokenMissing && required == EndpointAccess.RefreshToken)
        {
            // The refresh token may come in the body instead; the function validates it.
            await next(context).ConfigureAwait(false);
            return;
        }

        MiddlewareLog.Refused(logger, context.FunctionDefinition.Name, outcome.TokenMissing ? "no token" : outcome.Failure.ToString());
        context.GetInvocationResult().Value = outcome.TokenMissing
            ? await request.TokenMissingAsync().ConfigureAwait(false)
            : await request.TokenRejectedAsync(outcome.Failure).ConfigureAwait(false);
    }
}

/// <summary>The validated caller, carried in <see cref="FunctionContext.Items"/> under a private key.</summary>
public static class FunctionContextTokenExtensions
{
    private static readonly object Key = new();

    /// <summary>The caller the middleware validated, or <c>null</c> (anonymous function, or a refresh token sent in the body).</summary>
    public static TokenPrincipal? GetTokenPrincipal(this FunctionContext context) =>
        context.Items.TryGetValue(Key, out var value) ? value as TokenPrincipal : null;

    /// <summary>The caller of a function that requires a token. Throws only if the middleware is not registered: a misconfiguration.</summary>
    public static TokenPrincipal GetRequiredTokenPrincipal(this FunctionContext context) =>
        context.GetTokenPrincipal() ?? throw new InvalidOperationException(
            $"No validated token on this invocation. Register {nameof(BearerAuthenticationMiddleware)} in Program.cs (builder.UseBearerAuthentication()).");

    /// <summary>
    /// The caller as a standard <see cref="ClaimsPrincipal"/> (authentication type <c>Bearer</c>,
    /// name claim <c>sub</c>, role claim <c>roles</c>, so <c>IsInRole</c> and <c>Identity.Name</c>
    /// work; <c>scope</c>, <c>jti</c>, <c>sid</c> as claims), or <c>null</c> when there is no validated caller.
    /// Under ASP.NET Core integration the same principal is <c>HttpContext.User</c>.
    /// </summary>
    public static ClaimsPrincipal? GetClaimsPrincipal(this FunctionContext context) =>
        context.Items.TryGetValue(ClaimsKey, out var value) ? value as ClaimsPrincipal : null;

    internal static void SetTokenPrincipal(this FunctionContext context, TokenPrincipal principal)
    {
        context.Items[Key] = principal;
        var claims = ToClaimsPrincipal(principal);
        context.Items[ClaimsKey] = claims;
#if HTTP_ASPNETCORE
        if (context.GetHttpContext() is { } http)
        {
            http.User = claims;
        }
#endif
    }

    private static readonly object ClaimsKey = new();

    public static ClaimsPrincipal ToClaimsPrincipal(TokenPrincipal principal)
    {
        var claims = new List<Claim>(4 + principal.Roles.Count)
        {
            new(JwtRegisteredClaimNames.Sub, principal.Subject),
            new(JwtRegisteredClaimNames.Jti, principal.TokenId),
            new(TokenService.SessionClaim, principal.SessionId),
        };
        foreach (var role in principal.Roles)
        {
            claims.Add(new Claim(TokenService.RolesClaim, role));
        }

        if (principal.Scope.Length > 0)
        {
            claims.Add(new Claim(TokenService.ScopeClaim, principal.Scope));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, "Bearer", JwtRegisteredClaimNames.Sub, TokenService.RolesClaim));
    }
}

public static class BearerAuthenticationExtensions
{
    /// <summary>The Bearer middleware; its services come with <c>AddJwtFunctions</c>.</summary>
    public static IFunctionsWorkerApplicationBuilder UseBearerAuthentication(this IFunctionsWorkerApplicationBuilder builder) =>
        builder.UseMiddleware<BearerAuthenticationMiddleware>();

    /// <summary>What the Bearer middleware needs.</summary>
    internal static IServiceCollection AddBearerAuthentication(this IServiceCollection services)
    {
        services.TryAddSingleton<EndpointAccessResolver>();
        services.TryAddSingleton<BearerAuthenticator>();
        services.TryAddSingleton<TokenSource>();
        services.TryAddSingleton<JwtFunctions.Endpoints.TokenCookies>();
        return services;
    }
}

/// <summary>Middleware log lines. The token itself is never logged, only why it was refused.</summary>
internal static partial class MiddlewareLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "{Function}: request refused, {Failure}")]
    public static partial void Refused(ILogger logger, string function, string failure);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "{Function}: request of {User} refused, lacks a required {Shortfall}")]
    public static partial void Forbidden(ILogger logger, string function, string user, string shortfall);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "{Function}: unhandled exception")]
    public static partial void Unhandled(ILogger logger, string function, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "{Function}: dependency unavailable ({ErrorType}, status {Status})")]
    public static partial void DependencyUnavailable(ILogger logger, string function, string errorType, int status);
}
