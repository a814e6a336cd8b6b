namespace JwtFunctions.Accounts;

public enum PasswordVerification
{
    Failed,
    Succeeded,

    /// <summary>Correct, but hashed with weaker parameters than configured: store a new hash.</summary>
    SucceededRehashNeeded,
}
