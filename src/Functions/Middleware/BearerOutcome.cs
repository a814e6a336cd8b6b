using JwtFunctions.Tokens;

namespace JwtFunctions.Middleware;

/// <summary>The three cases of RFC 6750 §3.1 kept apart: no token, a refused token, a caller.</summary>
public readonly record struct BearerOutcome(TokenPrincipal? Principal, TokenFailure Failure)
{
    public static readonly BearerOutcome NoToken = new(null, TokenFailure.None);

    public bool TokenMissing => Principal is null && Failure == TokenFailure.None;
}
