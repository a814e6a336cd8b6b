using JwtFunctions.Accounts;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Logging;

namespace JwtFunctions.Revocation;

/// <summary>Every way a token stops working before it expires: one access token, one session, everything of a user.</summary>
public sealed class TokenRevoker(
    RevocationList list,
    RevocationStore revocations,
    RefreshTokenStore refreshTokens,
    TokenService tokens,
    TimeProvider time,
    UserTokenRevoker everything,
    ILogger<TokenRevoker> logger)
{
    /// <summary>
    /// Puts the access token on the deny list until the last instant validation would accept it:
    /// its expiry plus the clock skew validation allows.
    /// </summary>
    public async Task RevokeAccessTokenAsync(TokenPrincipal access, CancellationToken cancellationToken)
    {
        await revocations.AddRevokedTokenAsync(access.TokenId, access.Subject, access.ExpiresAt + tokens.Options.ClockSkew, cancellationToken).ConfigureAwait(false);
        list.AddLocal(tokenId: access.TokenId);
        RevocationLog.AccessTokenRevoked(logger, access.TokenId, access.Subject);
    }

    /// <summary>
    /// Ends one login session: its refresh family, and every access token issued in it (RFC 7009
    /// §2.1), by putting its <c>sid</c> on the deny list.
    /// </summary>
    public async Task RevokeSessionAsync(string user, string sessionId, string reason, CancellationToken cancellationToken)
    {
        await refreshTokens.RevokeFamilyAsync(user, sessionId, reason, cancellationToken).ConfigureAwait(false);

        // The family is revoked, so no token of this session is issued from now on, except by a
        // refresh that committed just before and is still writing its answer: its access token
        // expires at most one lifetime from now. Validation adds the skew; the second skew covers
        // that answer being written after this instant.
        var keepUntil = time.GetUtcNow() + tokens.Options.AccessTokenLifetime + tokens.Options.ClockSkew + tokens.Options.ClockSkew;
        await revocations.AddRevokedSessionAsync(sessionId, user, keepUntil, cancellationToken).ConfigureAwait(false);
        list.AddLocal(sessionId: sessionId);
        RevocationLog.SessionRevoked(logger, sessionId, user);
    }

    /// <summary>Every token of the user: see <see cref="UserTokenRevoker.RevokeEverythingAsync"/>.</summary>
    public Task<bool> RevokeEverythingAsync(string user, string? newPasswordHash, string reason, CancellationToken cancellationToken) =>
        everything.RevokeEverythingAsync(user, newPasswordHash, reason, cancellationToken);

    /// <summary>
    /// RFC 7009 §2.1: revokes whatever valid token this is. A refresh token takes its whole family
    /// with it. Invalid, expired or unknown tokens need no action (§2.2: still a success).
    /// Returns <c>false</c> only when tokens cannot be checked at all (no signing key).
    /// </summary>
    public async Task<bool> RevokeAsync(string token, string? tokenTypeHint, CancellationToken cancellationToken)
    {
        // §2.1: the hint only says where to look first.
        TokenKind[] order = tokenTypeHint == "refresh_token" ? [TokenKind.Refresh, TokenKind.Access] : [TokenKind.Access, TokenKind.Refresh];
        foreach (var kind in order)
        {
            var validation = await tokens.ValidateAsync(token, kind, cancellationToken).ConfigureAwait(false);
            if (validation.Failure == TokenFailure.KeysUnavailable)
            {
                return false;
            }

            if (validation.Principal is not { } principal)
            {
                continue;
            }

            if (kind == TokenKind.Refresh)
            {
                await RevokeSessionAsync(principal.Subject, principal.SessionId, RevocationReasons.Revoked, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await RevokeAccessTokenAsync(principal, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }

        return true;
    }
}
