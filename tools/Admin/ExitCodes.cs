using JwtFunctions.Accounts;
using JwtFunctions.Admin;

namespace JwtFunctions.AdminTool;

/// <summary>The tool's exit codes, one per kind of outcome; listed in <c>--help</c> and the README.</summary>
public static class ExitCodes
{
    public const int Done = 0;

    /// <summary>Table Storage could not be reached or answered an unexpected error.</summary>
    public const int Failed = 1;

    /// <summary>Bad arguments or settings: the shell convention for usage errors.</summary>
    public const int Usage = 2;

    public const int AlreadyExists = 3;
    public const int NotFound = 4;

    /// <summary>The change would leave no enabled admin.</summary>
    public const int LastAdmin = 5;

    /// <summary>The password was refused (length rule, empty input, prompts that differ).</summary>
    public const int PasswordRefused = 6;

    /// <summary>Table Storage refused the caller (403), or no Azure sign-in was found.</summary>
    public const int AccessDenied = 7;

    /// <summary>Another change to the admins held their guard too long: try again.</summary>
    public const int Busy = 8;

    public const string HelpText = """
        Exit codes: 0 done, 1 storage unreachable or failed, 2 usage error, 3 user already exists,
        4 user not found, 5 would leave no enabled admin, 6 password refused, 7 access denied by
        Table Storage or no Azure sign-in, 8 busy (another admin change in progress: try again).
        """;

    /// <summary>The exit code and fixed message of a service outcome other than <see cref="AdminResult.Done"/>.</summary>
    public static (int Code, string Message) Describe(AdminResult result, string? username) => result switch
    {
        AdminResult.NotFound => (NotFound, $"There is no user '{username}'."),
        AdminResult.UsernameTaken => (AlreadyExists, $"A user '{username}' already exists."),
        AdminResult.InvalidUsername => (Usage, $"The username is not valid: {Usernames.MinLength}-{Usernames.MaxLength} characters of letters, digits and . _ @ -."),
        AdminResult.InvalidPassword => (PasswordRefused, $"The password was refused: it must be {Passwords.MinLength}-{Passwords.MaxLength} characters."),
        AdminResult.CommonPassword => (PasswordRefused, "The password was refused: it is a commonly used password; choose another."),
        AdminResult.InvalidRoles => (Usage, $"A role name is not valid: {AccessRights.Rule}."),
        AdminResult.InvalidScope => (Usage, $"A scope is not valid: {AccessRights.Rule}, separated by spaces."),
        AdminResult.LastAdmin => (LastAdmin, $"Refused: '{username}' is the last enabled admin; make another user admin first."),
        AdminResult.Busy => (Busy, "Another change to the admins is in progress; try again in a moment."),
        _ => (Failed, $"The change did not complete ({result})."),
    };
}
