namespace JwtFunctions.Storage;

public static class RefreshTokenStates
{
    public const string Active = "active";
    public const string Spent = "spent";
}
