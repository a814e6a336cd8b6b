namespace JwtFunctions.Accounts;

public enum GrantFailure
{
    None = 0,

    /// <summary>Unknown user or wrong password: one answer for both.</summary>
    InvalidCredentials,

    /// <summary>The refresh token is unknown, spent, or its family revoked.</summary>
    InvalidRefreshToken,

    /// <summary>No usable signing key: 503, nothing issued.</summary>
    KeysUnavailable,
}
