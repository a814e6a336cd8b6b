using System.Diagnostics.Metrics;
using JwtFunctions.Admin;
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
    IMeterFactory meters,
    ILogger<AccountService> logger)
{
    /// <summary>Passwords checked against a stored hash (not dummy hashes): what the lock-out bounds.</summary>
    private readonly Counter<long> _passwordChecks = meters.Create(MeterName).CreateCounter<long>("jwtfunctions.password.checks", description: "Passwords checked against a stored hash");

    public const string MeterName = "JwtFunctions.Accounts";

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

        switch (Passwords.Check(password))
        {
            case PasswordProblem.Length:
                return RegistrationResult.InvalidPassword;
            case PasswordProblem.Common:
                return RegistrationResult.CommonPassword;
        }

        var entity = new UserEntity
        {
            PartitionKey = user,
            Username = username!,
            PasswordHash = await hasher.HashAsync(password!, cancellationToken).ConfigureAwait(false),
            CreatedAt = time.GetUtcNow(),
        };
        entity.TokenGeneration = UserEntity.InitialGeneration(entity.CreatedAt);
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
        return TokenGrant.Issued(Pair(tokens.CreateAccessToken(keys, user.PartitionKey, sessionId, user.TokenGeneration, AccessRights.Split(user.Roles), user.Scope), refresh));
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
        // A disabled account refreshes nothing (its tokens were revoked when it was disabled).
        if (user is null || user.Disabled || refreshToken.Generation < user.TokenGeneration)
        {
            await revoker.RevokeSessionAsync(refreshToken.Subject, refreshToken.SessionId, RevocationReasons.LogoutEverywhere, cancellationToken).ConfigureAwait(false);
            return TokenGrant.Refused(GrantFailure.InvalidRefreshToken);
        }

        var successor = tokens.CreateRefreshToken(keys, user.PartitionKey, refreshToken.SessionId, Guid.NewGuid().ToString("N"), user.TokenGeneration);
        var result = await refreshTokens.RotateAsync(
            user.PartitionKey, refreshToken.SessionId, refreshToken.TokenId, successor.TokenId, successor.ExpiresAt, options.Value.MaxSessionLifetime, cancellationToken).ConfigureAwait(false);
        if (result != RotationResult.Rotated)
        {
            if (result == RotationResult.Reused)
            {
                // Whoever holds the other copy may hold its session's access tokens too: end them all.
                AccountLog.ReuseDetected(logger, refreshToken.Subject, refreshToken.SessionId);
                await revoker.RevokeSessionAsync(refreshToken.Subject, refreshToken.SessionId, RevocationReasons.Reuse, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                AccountLog.RefreshRefused(logger, refreshToken.Subject, refreshToken.SessionId, result);
            }

            return TokenGrant.Refused(GrantFailure.InvalidRefreshToken);
        }

        return TokenGrant.Issued(Pair(tokens.CreateAccessToken(keys, user.PartitionKey, refreshToken.SessionId, user.TokenGeneration, AccessRights.Split(user.Roles), user.Scope), successor));
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
            // The session's sid goes on the deny list, which ends this access token with the rest.
            await revoker.RevokeSessionAsync(caller.Subject, caller.SessionId, RevocationReasons.Logout, cancellationToken).ConfigureAwait(false);
        }

        AccountLog.LoggedOut(logger, caller.Subject, caller.SessionId, everywhere);
    }

    /// <summary>
    /// Changes the password after checking the current one (counted by the lock-out like a login),
    /// then revokes every token of the user: a changed password ends every session.
    /// </summary>
    public async Task<PasswordChangeResult> ChangePasswordAsync(TokenPrincipal caller, string? currentPassword, string? newPassword, CancellationToken cancellationToken)
    {
        switch (Passwords.Check(newPassword))
        {
            case PasswordProblem.Length:
                return PasswordChangeResult.InvalidNewPassword;
            case PasswordProblem.Common:
                return PasswordChangeResult.CommonNewPassword;
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

    /// <summary>
    /// The user, if the password is right and the account not locked. An existing account's
    /// password is checked only under a lock-out reservation (ETag, shared by all instances);
    /// every refusal costs one hash, of a dummy when there is nothing to check. Unknown usernames
    /// make the same storage round trips and write nothing: no row is created for a name that
    /// has no account.
    /// </summary>
    private async Task<UserEntity?> CheckPasswordAsync(string? username, string? password, CancellationToken cancellationToken)
    {
        if (!Usernames.TryNormalize(username, out var normalized) || password is null)
        {
            await hasher.VerifyAgainstDummyAsync(password, cancellationToken).ConfigureAwait(false);
            AccountLog.LoginRefused(logger);
            return null;
        }

        var user = await users.FindAsync(normalized, cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            // The same storage round trips as an account's reservation and settlement, writing nothing.
            await users.MatchLockoutRoundTripsAsync(normalized, cancellationToken).ConfigureAwait(false);
            await hasher.VerifyAgainstDummyAsync(password, cancellationToken).ConfigureAwait(false);
            await users.MatchLockoutRoundTripsAsync(normalized, cancellationToken).ConfigureAwait(false);
            AccountLog.LoginRefused(logger);
            return null;
        }

        if (!await lockout.TryReserveAsync(normalized, cancellationToken).ConfigureAwait(false))
        {
            // Locked, or its remaining attempts are all in flight: refused even with the right
            // password, at the same cost as a wrong one. The refused reservation made only its
            // read: the write it did not make, then a settlement's read and write, are made on a
            // row that never exists, so the storage work is that of a wrong password too.
            await users.MatchLockoutWriteAsync(normalized, cancellationToken).ConfigureAwait(false);
            await hasher.VerifyAgainstDummyAsync(password, cancellationToken).ConfigureAwait(false);
            await users.MatchLockoutRoundTripsAsync(normalized, cancellationToken).ConfigureAwait(false);
            AccountLog.LoginWhileLocked(logger);
            return null;
        }

        PasswordVerification verification;
        try
        {
            verification = await hasher.VerifyAsync(password, user.PasswordHash, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // No check was made (no hashing slot, cancelled): give the reservation back uncounted.
            await lockout.ReleaseAsync(normalized, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        _passwordChecks.Add(1, new KeyValuePair<string, object?>("outcome", verification == PasswordVerification.Failed ? "failed" : "matched"));

        var matched = verification != PasswordVerification.Failed;
        if (!await lockout.SettleAsync(normalized, matched, cancellationToken).ConfigureAwait(false))
        {
            if (matched)
            {
                AccountLog.LoginWhileLocked(logger);
            }
            else
            {
                AccountLog.LoginRefused(logger);
            }

            return null;
        }

        if (user.Disabled)
        {
            // The same answer, cost and log line as a wrong password: a disabled account is not revealed.
            AccountLog.LoginRefused(logger);
            return null;
        }

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
