namespace JwtFunctions.Accounts;

/// <summary>Tokens, or the one reason none were issued.</summary>
public readonly record struct TokenGrant(TokenPair? Tokens, GrantFailure Failure)
{
    public static TokenGrant Issued(TokenPair tokens) => new(tokens, GrantFailure.None);

    public static TokenGrant Refused(GrantFailure failure) => new(null, failure);
}
