using JwtFunctions.Storage;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Accounts;

/// <summary>The token endpoints' logic: register, login, refresh with rotation, logout.</summary>
public sealed class AccountService(
    UserStore users,
    RefreshTokenStore refreshTokens,
    PasswordHasher hasher,
    TokenService tokens,
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
            PasswordHash = hasher.Hash(password!),
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
    /// Checks the password and starts a new session (refresh-token family). Unknown users are
    /// checked against a dummy hash, so they cost the same time as a wrong password.
    /// </summary>
    public async Task<TokenGrant> LoginAsync(string? username, string? password, CancellationToken cancellationToken)
    {
        var keys = await tokens.GetKeysAsync(cancellationToken).ConfigureAwait(false);
        if (keys is null)
        {
            return TokenGrant.Refused(GrantFailure.KeysUnavailable);
        }

        var user = Usernames.TryNormalize(username, out var normalized) && password is not null
            ? await users.FindAsync(normalized, cancellationToken).ConfigureAwait(false)
            : null;
        if (user is null)
        {
            hasher.VerifyAgainstDummy(password);
            AccountLog.LoginRefused(logger);
            return TokenGrant.Refused(GrantFailure.InvalidCredentials);
        }

        var verification = hasher.Verify(password!, user.PasswordHash);
        if (verification == PasswordVerification.Failed)
        {
            AccountLog.LoginRefused(logger);
            return TokenGrant.Refused(GrantFailure.InvalidCredentials);
        }

        if (verification == PasswordVerification.SucceededRehashNeeded
            && await users.TryUpdatePasswordHashAsync(user, hasher.Hash(password!), cancellationToken).ConfigureAwait(false))
        {
            AccountLog.Rehashed(logger, normalized, hasher.Iterations);
        }

        var sessionId = Guid.NewGuid().ToString("N");
        var refresh = tokens.CreateRefreshToken(keys, normalized, sessionId, Guid.NewGuid().ToString("N"));
        await refreshTokens.CreateFamilyAsync(normalized, sessionId, refresh.TokenId, refresh.ExpiresAt, cancellationToken).ConfigureAwait(false);
        AccountLog.LoggedIn(logger, normalized, sessionId);
        return TokenGrant.Issued(Pair(tokens.CreateAccessToken(keys, normalized, sessionId), refresh));
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

        var successor = tokens.CreateRefreshToken(keys, refreshToken.Subject, refreshToken.SessionId, Guid.NewGuid().ToString("N"));
        var result = await refreshTokens.RotateAsync(
            refreshToken.Subject, refreshToken.SessionId, refreshToken.TokenId, successor.TokenId, successor.ExpiresAt, cancellationToken).ConfigureAwait(false);
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

        return TokenGrant.Issued(Pair(tokens.CreateAccessToken(keys, refreshToken.Subject, refreshToken.SessionId), successor));
    }

    /// <summary>Ends the caller's session, or with <paramref name="everywhere"/> every session of the user.</summary>
    public async Task LogoutAsync(TokenPrincipal caller, bool everywhere, CancellationToken cancellationToken)
    {
        if (everywhere)
        {
            await refreshTokens.RevokeAllAsync(caller.Subject, RevocationReasons.LogoutEverywhere, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await refreshTokens.RevokeFamilyAsync(caller.Subject, caller.SessionId, RevocationReasons.Logout, cancellationToken).ConfigureAwait(false);
        }

        AccountLog.LoggedOut(logger, caller.Subject, caller.SessionId, everywhere);
    }

    private TokenPair Pair(IssuedToken access, IssuedToken refresh) =>
        new(access.Value, refresh.Value, (long)tokens.Options.AccessTokenLifetime.TotalSeconds);
}
