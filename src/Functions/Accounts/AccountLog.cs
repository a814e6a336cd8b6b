using Microsoft.Extensions.Logging;

namespace JwtFunctions.Accounts;

/// <summary>Account log lines. Passwords and tokens are never logged; failed logins name no user (a password typed into the username field must not end up in a log).</summary>
internal static partial class AccountLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "User {User} logged in (session {SessionId})")]
    public static partial void LoggedIn(ILogger logger, string user, string sessionId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Login refused: unknown user or wrong password")]
    public static partial void LoginRefused(ILogger logger);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Password hash of {User} upgraded to {Iterations} iterations")]
    public static partial void Rehashed(ILogger logger, string user, int iterations);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Refresh token reuse for {User}: session {SessionId} revoked")]
    public static partial void ReuseDetected(ILogger logger, string user, string sessionId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Refresh refused for {User} (session {SessionId}): {Result}")]
    public static partial void RefreshRefused(ILogger logger, string user, string sessionId, Storage.RotationResult result);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "User {User} registered")]
    public static partial void Registered(ILogger logger, string user);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning, Message = "Account {User} locked for {Duration} after repeated failed logins")]
    public static partial void LockedOut(ILogger logger, string user, TimeSpan duration);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Error, Message = "Failed login of {User} could not be counted: the lock-out row kept changing")]
    public static partial void LockoutNotRecorded(ILogger logger, string user);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Password of {User} changed; every token revoked")]
    public static partial void PasswordChanged(ILogger logger, string user);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "Login refused: account locked")]
    public static partial void LoginWhileLocked(ILogger logger);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "User {User} logged out (session {SessionId}, everywhere: {Everywhere})")]
    public static partial void LoggedOut(ILogger logger, string user, string sessionId, bool everywhere);
}
