namespace JwtFunctions.Accounts;

public enum PasswordChangeResult
{
    /// <summary>Changed; every token of the user, the caller's included, is revoked.</summary>
    Changed,

    /// <summary>The current password is wrong, or the account is locked: one answer for both.</summary>
    WrongPassword,

    InvalidNewPassword,
}
