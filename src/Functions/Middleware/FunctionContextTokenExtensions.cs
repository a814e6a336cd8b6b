using JwtFunctions.Tokens;
using Microsoft.Azure.Functions.Worker;

namespace JwtFunctions.Middleware;

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

    internal static void SetTokenPrincipal(this FunctionContext context, TokenPrincipal principal) => context.Items[Key] = principal;
}
