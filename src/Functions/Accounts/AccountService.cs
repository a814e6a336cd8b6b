using JwtFunctions.Endpoints;
using JwtFunctions.Revocation;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Accounts;

/// <summary>The token endpoints' logic: register, login, refresh with rotation, logout, password change.</summary>
public sealed class AccountService(
    UserStore users,
    RefreshTokenStore refreshTokens,
    PasswordHasher hasher,
    AccountLockout lockout,
    TokenService tokens,
    TokenRevoker revoker,
    TimeProvider time,
    IOptions<AccountOptions> options,
    ILogger<AccountService> logger)
{
    public bool RegistrationEnabled => options.Value.RegistrationEnabled;

    public async Task<RegistrationResult> RegisterAsync(string? username, string? password, CancellationToken cancellationToken)
    {
        if (!RegistrationEnabled)
        {
            return RegistrationResult.Disabled;
        }

        if (!Usernames.TryNormalize(username, out var user))
        {
            return RegistrationResult.InvalidUsername;
        }

        if (!Passwords.IsAcceptable(password))
        {
            return RegistrationResult.InvalidPassword;
        }

        var entity = new UserEntity
        {
            PartitionKey = user,
            Username = username!,
            PasswordHash = await hasher.HashAsync(password!, cancellationToken).ConfigureAwait(false),
            CreatedAt = time.GetUtcNow(),
        };
        if (!await users.TryCreateAsync(entity, cancellationToken).ConfigureAwait(false))
        {
            return RegistrationResult.UsernameTaken;
        }

        AccountLog.Registered(logger, user);
        return RegistrationResult.Created;
    }

    /// <summary>
    /// Checks the password and starts a new session (refresh-token family). Unknown users and
    /// locked accounts are checked against a dummy hash, so every refusal costs the same time.
    /// </summary>
    public async Task<TokenGrant> LoginAsync(string? username, string? password, CancellationToken cancellationToken)
    {
        var keys = await tokens.GetKeysAsync(cancellationToken).ConfigureAwait(false);
        if (keys is null)
        {
            return TokenGrant.Refused(GrantFailure.KeysUnavailable);
        }

        var user = await CheckPasswordAsync(username, password, cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            return TokenGrant.Refused(GrantFailure.InvalidCredentials);
        }

        var sessionId = Guid.NewGuid().ToString("N");
        var refresh = tokens.CreateRefreshToken(keys, user.PartitionKey, sessionId, Guid.NewGuid().ToString("N"), user.TokenGeneration);
        await refreshTokens.CreateFamilyAsync(user.PartitionKey, sessionId, refresh.TokenId, refresh.ExpiresAt, cancellationToken).ConfigureAwait(false);
        AccountLog.LoggedIn(logger, user.PartitionKey, sessionId);
        return TokenGrant.Issued(Pair(tokens.CreateAccessToken(keys, user.PartitionKey, sessionId, user.TokenGeneration), refresh));
    }

    /// <summary>Exchanges a validated refresh token for a new pair; the presented token is spent.</summary>
    public async Task<TokenGrant> RefreshAsync(TokenPrincipal refreshToken, CancellationToken cancellationToken)
    {
        if (refreshToken.Kind != TokenKind.Refresh)
        {
            return TokenGrant.Refused(GrantFailure.InvalidRefreshToken);
        }

        var keys = await tokens.GetKeysAsync(cancellationToken).ConfigureAwait(false);
        if (keys is null)
        {
            return TokenGrant.Refused(GrantFailure.KeysUnavailable);
        }

        // A session that began before "log out everywhere" or a password change is over, even if
        // its family was created in a race with the revocation.
        var user = await users.FindAsync(refreshToken.Subject, cancellationToken).ConfigureAwait(false);
        if (user is null || refreshToken.Generation < user.TokenGeneration)
        {
            await revoker.RevokeSessionAsync(refreshToken.Subject, refreshToken.SessionId, RevocationReasons.LogoutEverywhere, cancellationToken).ConfigureAwait(false);
            return TokenGrant.Refused(GrantFailure.InvalidRefreshToken);
        }

        var successor = tokens.CreateRefreshToken(keys, user.PartitionKey, refreshToken.SessionId, Guid.NewGuid().ToString("N"), user.TokenGeneration);
        var result = await refreshTokens.RotateAsync(
            user.PartitionKey, refreshToken.SessionId, refreshToken.TokenId, successor.TokenId, successor.ExpiresAt, cancellationToken).ConfigureAwait(false);
        if (result != RotationResult.Rotated)
        {
            if (result == RotationResult.Reused)
            {
                AccountLog.ReuseDetected(logger, refreshToken.Subject, refreshToken.SessionId);
            }
            else
            {
                AccountLog.RefreshRefused(logger, refreshToken.Subject, refreshToken.SessionId, result);
            }

            return TokenGrant.Refused(GrantFailure.InvalidRefreshToken);
        }

        return TokenGrant.Issued(Pair(tokens.CreateAccessToken(keys, user.PartitionKey, refreshToken.SessionId, user.TokenGeneration), successor));
    }

    /// <summary>
    /// Ends the caller's session (its refresh family and the access token used here), or with
    /// <paramref name="everywhere"/> every token the user holds.
    /// </summary>
    public async Task LogoutAsync(TokenPrincipal caller, bool everywhere, CancellationToken cancellationToken)
    {
        if (everywhere)
        {
            await revoker.RevokeEverythingAsync(caller.Subject, newPasswordHash: null, RevocationReasons.LogoutEverywhere, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await revoker.RevokeSessionAsync(caller.Subject, caller.SessionId, RevocationReasons.Logout, cancellationToken).ConfigureAwait(false);
            await revoker.RevokeAccessTokenAsync(caller, cancellationToken).ConfigureAwait(false);
        }

        AccountLog.LoggedOut(logger, caller.Subject, caller.SessionId, everywhere);
    }

    /// <summary>
    /// Changes the password after checking the current one (counted by the lock-out like a login),
    /// then revokes every token of the user: a changed password ends every session.
    /// </summary>
    public async Task<PasswordChangeResult> ChangePasswordAsync(TokenPrincipal caller, string? currentPassword, string? newPassword, CancellationToken cancellationToken)
    {
        if (!Passwords.IsAcceptable(newPassword))
        {
            return PasswordChangeResult.InvalidNewPassword;
        }

        if (await CheckPasswordAsync(caller.Subject, currentPassword, cancellationToken).ConfigureAwait(false) is null)
        {
            return PasswordChangeResult.WrongPassword;
        }

        if (!await revoker.RevokeEverythingAsync(caller.Subject, await hasher.HashAsync(newPassword!, cancellationToken).ConfigureAwait(false), RevocationReasons.PasswordChanged, cancellationToken).ConfigureAwait(false))
        {
            return PasswordChangeResult.WrongPassword;
        }

        AccountLog.PasswordChanged(logger, caller.Subject);
        return PasswordChangeResult.Changed;
    }

    /// <summary>The user, if the password is right and the account not locked; the same work either way.</summary>
    private async Task<UserEntity?> CheckPasswordAsync(string? username, string? password, CancellationToken cancellationToken)
    {
        if (!Usernames.TryNormalize(username, out var normalized) || password is null)
        {
            await hasher.VerifyAgainstDummyAsync(password, cancellationToken).ConfigureAwait(false);
            AccountLog.LoginRefused(logger);
            return null;
        }

        var userRead = users.FindAsync(normalized, cancellationToken);
        var lockoutRead = lockout.ReadAsync(normalized, cancellationToken);
        var user = await userRead.ConfigureAwait(false);
        var lockoutRow = await lockoutRead.ConfigureAwait(false);
        var locked = lockout.IsLocked(lockoutRow);
        if (user is null || locked)
        {
            // A locked account refuses even the right password, at the same cost as a wrong one.
            await hasher.VerifyAgainstDummyAsync(password, cancellationToken).ConfigureAwait(false);
            if (locked)
            {
                AccountLog.LoginWhileLocked(logger);
            }
            else
            {
                AccountLog.LoginRefused(logger);
            }

            return null;
        }

        var verification = await hasher.VerifyAsync(password, user.PasswordHash, cancellationToken).ConfigureAwait(false);
        if (verification == PasswordVerification.Failed)
        {
            await lockout.RecordFailureAsync(normalized, cancellationToken).ConfigureAwait(false);
            AccountLog.LoginRefused(logger);
            return null;
        }

        await lockout.RecordSuccessAsync(lockoutRow, cancellationToken).ConfigureAwait(false);
        if (verification == PasswordVerification.SucceededRehashNeeded
            && await users.TryUpdatePasswordHashAsync(user, await hasher.HashAsync(password, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false))
        {
            AccountLog.Rehashed(logger, normalized, hasher.Parameters);
        }

        return user;
    }

    private TokenPair Pair(IssuedToken access, IssuedToken refresh) =>
        new(access.Value, refresh.Value, (long)tokens.Options.AccessTokenLifetime.TotalSeconds);
}

/// <summary>Account log lines. Passwords and tokens are never logged; failed logins name no user (a password typed into the username field must not end up in a log).</summary>
internal static partial class AccountLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "User {User} logged in (session {SessionId})")]
    public static partial void LoggedIn(ILogger logger, string user, string sessionId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Login refused: unknown user or wrong password")]
    public static partial void LoginRefused(ILogger logger);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Password hash of {User} upgraded to {Parameters}")]
    public static partial void Rehashed(ILogger logger, string user, string parameters);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Refresh token reuse for {User}: session {SessionId} revoked")]
    public static partial void ReuseDetected(ILogger logger, string user, string sessionId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Refresh refused for {User} (session {SessionId}): {Result}")]
    public static partial void RefreshRefused(ILogger logger, string user, string sessionId, RotationResult result);

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
