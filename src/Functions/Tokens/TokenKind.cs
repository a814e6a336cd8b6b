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
