using System.Buffers;
using JwtFunctions.Revocation;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Primitives;

namespace JwtFunctions.Authentication;

/// <summary>
/// Reads <c>Authorization: Bearer</c> (RFC 6750 §2.1), validates the token and, for access tokens,
/// consults the in-memory revocation list (no I/O once warm). Kept apart from the middleware so
/// every header case can be tested without a Functions host.
/// </summary>
public sealed class BearerAuthenticator(TokenService tokens, RevocationList revocations)
{
    private static readonly TimeSpan ColdStartWait = TimeSpan.FromSeconds(5);

    private const string Scheme = "Bearer";

    // RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    private static readonly SearchValues<char> B64TokenChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");

    public async ValueTask<BearerOutcome> AuthenticateAsync(StringValues authorization, TokenKind kind, CancellationToken cancellationToken)
    {
        var token = ExtractToken(authorization, out var failure);
        if (token is null)
        {
            return failure == TokenFailure.None ? BearerOutcome.NoToken : new BearerOutcome(null, failure);
        }

        var validation = await tokens.ValidateAsync(token, kind, cancellationToken).ConfigureAwait(false);
        if (validation.Principal is not { } principal || kind != TokenKind.Access)
        {
            // Refresh tokens are checked against their stored state by the refresh itself.
            return new BearerOutcome(validation.Principal, validation.Failure);
        }

        if (!await revocations.EnsureLoadedAsync(ColdStartWait, cancellationToken).ConfigureAwait(false))
        {
            return new BearerOutcome(null, TokenFailure.RevocationListUnavailable);
        }

        return revocations.IsRevoked(principal) ? new BearerOutcome(null, TokenFailure.Revoked) : new BearerOutcome(principal, TokenFailure.None);
    }

    /// <summary>The token, or <c>null</c> with <paramref name="failure"/> None (no Bearer credentials) or the reason.</summary>
    public static string? ExtractToken(StringValues authorization, out TokenFailure failure)
    {
        failure = TokenFailure.None;
        if (authorization.Count > 1)
        {
            // Two Authorization headers: ambiguous, never pick one.
            failure = TokenFailure.Malformed;
            return null;
        }

        string? value = authorization;
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        // RFC 7235 §2.1: the scheme name is case-insensitive. Another scheme (Basic, ...) is no Bearer token at all.
        if (value.Length < Scheme.Length || !value.AsSpan(0, Scheme.Length).Equals(Scheme, StringComparison.OrdinalIgnoreCase)
            || (value.Length > Scheme.Length && value[Scheme.Length] != ' '))
        {
            return null;
        }

        var token = value.AsSpan(Scheme.Length).TrimStart(' ');
        if (token.Length > TokenService.MaxTokenLength)
        {
            failure = TokenFailure.TooLong;
            return null;
        }

        var body = token.TrimEnd('=');
        if (body.IsEmpty || body.ContainsAnyExcept(B64TokenChars))
        {
            failure = TokenFailure.Malformed;
            return null;
        }

        return token.ToString();
    }
}

/// <summary>The three cases of RFC 6750 §3.1 kept apart: no token, a refused token, a caller.</summary>
public readonly record struct BearerOutcome(TokenPrincipal? Principal, TokenFailure Failure)
{
    public static readonly BearerOutcome NoToken = new(null, TokenFailure.None);

    public bool TokenMissing => Principal is null && Failure == TokenFailure.None;
}
