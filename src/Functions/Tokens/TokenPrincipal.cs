namespace JwtFunctions.Tokens;

/// <summary>
/// The caller a validated token speaks for. <see cref="SessionId"/> is the refresh-token family
/// the token descends from (its <c>sid</c> claim), so logout can end exactly that session.
/// </summary>
public sealed record TokenPrincipal(string Subject, string TokenId, string SessionId, TokenKind Kind, DateTimeOffset ExpiresAt);
