namespace JwtFunctions.Tokens;

/// <summary>The outcome of checking a token: a principal, or the one reason it was refused.</summary>
public readonly record struct TokenValidation(TokenPrincipal? Principal, TokenFailure Failure)
{
    public bool Succeeded => Principal is not null;

    public static TokenValidation Success(TokenPrincipal principal) => new(principal, TokenFailure.None);

    public static TokenValidation Fail(TokenFailure failure) => new(null, failure);
}
