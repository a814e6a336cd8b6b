using JwtFunctions.Accounts;

namespace JwtFunctions.Http;

/// <summary>Length limits on submitted credentials, checked before any storage or hashing work.</summary>
public static class Credentials
{
    public static readonly ApiError TooLong = ApiError.BadRequest(
        $"username is at most {Usernames.MaxLength} and password at most {Passwords.MaxLength} characters");

    public static bool AreTooLong(string? username, string? password) =>
        username?.Length > Usernames.MaxLength || password?.Length > Passwords.MaxLength;
}
