namespace JwtFunctions.Tokens;

/// <summary>A freshly signed token and the facts about it that the stores need.</summary>
public sealed record IssuedToken(string Value, string TokenId, DateTimeOffset ExpiresAt)
{
    /// <summary>Never print the token itself.</summary>
    public override string ToString() => $"IssuedToken(jti={TokenId}, exp={ExpiresAt:O})";
}
