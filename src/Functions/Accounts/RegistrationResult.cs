namespace JwtFunctions.Accounts;

public enum RegistrationResult
{
    Created,
    Disabled,
    InvalidUsername,
    InvalidPassword,
    UsernameTaken,
}
