using JwtFunctions.Http;
using JwtFunctions.Tokens;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace JwtFunctions.Middleware;

/// <summary>
/// Validates the Bearer token before any HTTP function runs; default deny. A refused request gets
/// its 401 (or 503) here and the function never runs. Non-HTTP triggers pass through untouched.
/// </summary>
public sealed class BearerAuthenticationMiddleware(
    EndpointAccessResolver access,
    BearerAuthenticator authenticator,
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
        // The raw header as received: the validated TryGetValues would parse it into an
        // AuthenticationHeaderValue and format it back (a second copy of the token per request).
        // ExtractToken parses it itself, to RFC 6750 §2.1 ("Bearer" 1*SP b64token).
        IEnumerable<string>? authorization = request.Headers.NonValidated.TryGetValues("Authorization", out var raw) ? raw : null;
        var kind = required == EndpointAccess.RefreshToken ? TokenKind.Refresh : TokenKind.Access;
        var outcome = await authenticator.AuthenticateAsync(authorization, kind, context.CancellationToken).ConfigureAwait(false);

        if (outcome.Principal is { } principal)
        {
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
