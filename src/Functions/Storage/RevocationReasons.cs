namespace JwtFunctions.Storage;

public static class RevocationReasons
{
    public const string Logout = "logout";
    public const string LogoutEverywhere = "logout-all";
    public const string PasswordChanged = "password-changed";

    /// <summary>RFC 7009 revocation request.</summary>
    public const string Revoked = "revoked";

    /// <summary>A spent refresh token was presented again (RFC 9700 §4.14.2): assume it was stolen.</summary>
    public const string Reuse = "reuse";
}
