namespace JwtFunctions.Tokens;

/// <summary>The <c>typ</c> header values of <see cref="TokenKind"/>.</summary>
public static class TokenTypes
{
    public const string Access = "at+jwt";
    public const string Refresh = "rt+jwt";

    public static string For(TokenKind kind) => kind == TokenKind.Access ? Access : Refresh;
}
