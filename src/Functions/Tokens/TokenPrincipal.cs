namespace JwtFunctions.Tokens;

/// <summary>
/// The caller a validated token speaks for. <see cref="SessionId"/> is the refresh-token family
/// the token descends from (its <c>sid</c> claim), so logout can end exactly that session.
/// <see cref="Generation"/> is the user's token generation when it was issued (its <c>gen</c> claim).
/// </summary>
public sealed record TokenPrincipal(string Subject, string TokenId, string SessionId, TokenKind Kind, DateTimeOffset ExpiresAt, long Generation = 0);
