namespace JwtFunctions.Accounts;

/// <summary>Tokens, or the one reason none were issued.</summary>
public readonly record struct TokenGrant(TokenPair? Tokens, GrantFailure Failure)
{
    public static TokenGrant Issued(TokenPair tokens) => new(tokens, GrantFailure.None);

    public static TokenGrant Refused(GrantFailure failure) => new(null, failure);
}

/// <summary>What login and refresh hand out. <see cref="ExpiresIn"/> is the access token's lifetime in seconds (RFC 6749 §5.1).</summary>
public sealed record TokenPair(string AccessToken, string RefreshToken, long ExpiresIn)
{
    public override string ToString() => $"TokenPair(expires_in={ExpiresIn})";
}

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

public enum RegistrationResult
{
    Created,
    Disabled,
    InvalidUsername,
    InvalidPassword,
    UsernameTaken,

    /// <summary>The password is on the common-password list (<see cref="Passwords.Check"/>).</summary>
    CommonPassword,
}

public enum PasswordChangeResult
{
    /// <summary>Changed; every token of the user, the caller's included, is revoked.</summary>
    Changed,

    /// <summary>The current password is wrong, or the account is locked: one answer for both.</summary>
    WrongPassword,

    InvalidNewPassword,

    /// <summary>The new password is on the common-password list (<see cref="Passwords.Check"/>).</summary>
    CommonNewPassword,
}
