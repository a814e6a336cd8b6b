using JwtFunctions.Accounts;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Logging;

namespace JwtFunctions.Revocation;

/// <summary>
/// Ends every token of one user by raising its token generation (the <c>gen</c> claim). Needs
/// only the stores, not the signing key or the JWT settings, so the admin tool can use it.
/// </summary>
public sealed class UserTokenRevoker(
    RevocationList list,
    RevocationStore revocations,
    RefreshTokenStore refreshTokens,
    UserStore users,
    TimeProvider time,
    ILogger<TokenRevoker> logger)
{
    private const int MaxAttempts = 10;

    /// <summary>
    /// Raises the user's token generation (optionally storing a new password hash in the same
    /// conditional write), so every access token issued before fails, and revokes every refresh
    /// family. Returns <c>false</c> when there is no such user.
    /// </summary>
    public async Task<bool> RevokeEverythingAsync(string user, string? newPasswordHash, string reason, CancellationToken cancellationToken)
    {
        long? generation = null;
        for (var attempt = 0; attempt < MaxAttempts && generation is null; attempt++)
        {
            var entity = await users.FindAsync(user, cancellationToken).ConfigureAwait(false);
            if (entity is null)
            {
                return false;
            }

            generation = await users.TryRaiseGenerationAsync(entity, newPasswordHash, cancellationToken).ConfigureAwait(false);
        }

        if (generation is not { } raised)
        {
            throw new InvalidOperationException($"The user row of {user} kept changing; could not raise its token generation.");
        }

        // Older access tokens can live at most one lifetime (plus skew) from now; after that the
        // published generation is no longer needed. The publisher may not share the issuing app's
        // settings (the admin tool reads its own), so it is kept for the longest lifetime and skew
        // any instance can be configured with. A refresh that read the old generation just before
        // it was raised may still be writing its answer: the second skew covers that token too.
        var keepUntil = time.GetUtcNow() + JwtOptionsValidator.MaxAccessTokenLifetime + JwtOptionsValidator.MaxClockSkew + JwtOptionsValidator.MaxClockSkew;
        await revocations.PublishGenerationAsync(user, raised, keepUntil, cancellationToken).ConfigureAwait(false);
        list.AddLocal(user: user, generation: raised);
        var families = await refreshTokens.RevokeAllAsync(user, reason, cancellationToken).ConfigureAwait(false);
        RevocationLog.UserTokensRevoked(logger, user, raised, families);
        return true;
    }
}
