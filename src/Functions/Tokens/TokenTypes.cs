using JwtFunctions.Endpoints;









namespace JwtFunctions.Tokens;

/// <summary>
/// Which of the two token kinds. Kept apart by the JWS <c>typ</c> header (RFC 7515 §4.1.9):
/// <c>at+jwt</c> for access tokens as RFC 9068 §2.1 registers it, <c>rt+jwt</c> for refresh tokens,
/// so neither can stand in for the other.
/// </summary>
public enum TokenKind
{
    Access,
    Refresh,
}

/// <summary>The <c>typ</c> header values of <see cref="TokenKind"/>.</summary>
public static class TokenTypes
{
    public const string Access = "at+jwt";
    public const string Refresh = "rt+jwt";

    public static string For(TokenKind kind) => kind == TokenKind.Access ? Access : Refresh;
}

/// <summary>A freshly signed token and the facts about it that the stores need.</summary>
public sealed record IssuedToken(string Value, string TokenId, DateTimeOffset ExpiresAt)
{
    /// <summary>Never print the token itself.</summary>
    public override string ToString() => $"IssuedToken(jti={TokenId}, exp={ExpiresAt:O})";
}

/// <summary>
/// The caller a validated token speaks for. <see cref="SessionId"/> is the refresh-token family
/// the token descends from (its <c>sid</c> claim), so logout can end exactly that session.
/// <see cref="Generation"/> is the user's token generation when it was issued (its <c>gen</c> claim).
/// </summary>
public sealed record TokenPrincipal(string Subject, string TokenId, string SessionId, TokenKind Kind, DateTimeOffset ExpiresAt, long Generation = 0)
{
    /// <summary>The token's <c>csrf</c> claim (written only when tokens travel in cookies), or <c>null</c>.</summary>
    public string? Csrf { get; init; }
    /// <summary>The <c>roles</c> claim (RFC 9068 §2.2.3.1); empty when absent or not a JSON array of strings.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>The <c>scope</c> claim (RFC 9068 §2.2.3), space-separated; empty when absent or not a string.</summary>
    public string Scope { get; init; } = string.Empty;

    public bool IsInRole(string role) => Roles.Contains(role, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="scope"/> is one of the space-separated scope tokens (RFC 6749 §3.3).</summary>
    public bool HasScope(string scope)
    {
        foreach (var range in Scope.AsSpan().Split(' '))
        {
            if (Scope.AsSpan(range).SequenceEqual(scope))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The outcome of checking a token: a principal, or the one reason it was refused.</summary>
public readonly record struct TokenValidation(TokenPrincipal? Principal, TokenFailure Failure)
{
    public bool Succeeded => Principal is not null;

    public static TokenValidation Success(TokenPrincipal principal) => new(principal, TokenFailure.None);

    public static TokenValidation Fail(TokenFailure failure) => new(null, failure);
}
