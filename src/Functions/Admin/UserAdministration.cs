using JwtFunctions.Accounts;
using JwtFunctions.Revocation;
using Microsoft.Extensions.Logging;

namespace JwtFunctions.Admin;

/// <summary>
/// User administration: accounts with roles and scopes, paging, disable / enable, unlock,
/// password reset, revocation, deletion. Used by the admin API and by the admin CLI, through the
/// same stores and hashing (<see cref="AdminServiceCollectionExtensions.AddUserAdministration"/>).
/// Every change logs an audit event naming the acting admin and the target, never a password or token.
/// Invariant: there is always at least one enabled admin once one exists — a change that would
/// demote, disable or delete the last one is refused (<see cref="AdminResult.LastAdmin"/>).
/// </summary>
public sealed class UserAdministration(
    UserStore users,
    RefreshTokenStore refreshTokens,
    PasswordHasher hasher,
    UserTokenRevoker revoker,
    TimeProvider time,
    ILogger<UserAdministration> logger)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 100;

    /// <summary>How long a holder of the admins' guard may take; a crashed holder's guard lapses after it.</summary>
    private static readonly TimeSpan GuardLease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan GuardWait = TimeSpan.FromSeconds(10);
    private const int MaxAttempts = 10;

    public async Task<AdminResult> CreateAsync(string actor, string? username, string? password, IEnumerable<string?>? roles, string? scope, CancellationToken cancellationToken)
    {
        if (!Usernames.TryNormalize(username, out var user))
        {
            return AdminResult.InvalidUsername;
        }

        if (AccessRights.TryFormat(roles) is not { } storedRoles)
        {
            return AdminResult.InvalidRoles;
        }

        if (AccessRights.TryFormatScope(scope) is not { } storedScope)
        {
            return AdminResult.InvalidScope;
        }

        // The same rule as register and password change.
        if (Refused(Passwords.Check(password)) is { } refusedPassword)
        {
            return refusedPassword;
        }

        var now = time.GetUtcNow();
        var entity = new UserEntity
        {
            PartitionKey = user,
            Username = username!,
            PasswordHash = await hasher.HashAsync(password!, cancellationToken).ConfigureAwait(false),
            CreatedAt = now,
            TokenGeneration = UserEntity.InitialGeneration(now),
            Roles = storedRoles,
            Scope = storedScope,
        };
        if (!await users.TryCreateAsync(entity, cancellationToken).ConfigureAwait(false))
        {
            return AdminResult.UsernameTaken;
        }

        AdminLog.Created(logger, actor, user, storedRoles);
        return AdminResult.Done;
    }

    /// <summary>A page of users in name order; <paramref name="continuation"/> is the previous page's <see cref="UserPage.Continuation"/>.</summary>
    public async Task<(UserPage? Page, AdminResult Result)> ListAsync(int? limit, string? continuation, CancellationToken cancellationToken)
    {
        var size = limit ?? DefaultPageSize;
        if (size is < 1 or > MaxPageSize)
        {
            return (null, AdminResult.InvalidLimit);
        }

        string? after = null;
        if (continuation is not null && !Usernames.TryNormalize(continuation, out after))
        {
            return (null, AdminResult.InvalidContinuation);
        }

        var (rows, more) = await users.ListAsync(after, size, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var page = rows.Select(row => Summary(row.User, row.Lockout, now)).ToList();
        return (new UserPage(page, more ? rows[^1].User.PartitionKey : null), AdminResult.Done);
    }

    public async Task<UserSummary?> GetAsync(string? username, CancellationToken cancellationToken)
    {
        if (!Usernames.TryNormalize(username, out var user) || await users.FindAsync(user, cancellationToken).ConfigureAwait(false) is not { } entity)
        {
            return null;
        }

        return Summary(entity, await users.FindLockoutAsync(user, cancellationToken).ConfigureAwait(false), time.GetUtcNow());
    }

    /// <summary>Replaces the roles. Removing any role also ends every token of the user (rights taken away take effect at once).</summary>
    public async Task<AdminResult> SetRolesAsync(string actor, string? username, IEnumerable<string?>? roles, CancellationToken cancellationToken)
    {
        if (roles is null || AccessRights.TryFormat(roles) is not { } storedRoles)
        {
            return AdminResult.InvalidRoles;
        }

        return await ChangeAccessAsync(actor, username, entity => (storedRoles, entity.Scope, entity.Disabled), AdminAction.SetRoles, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces the scopes (space-separated). Removing any scope also ends every token of the user.</summary>
    public async Task<AdminResult> SetScopeAsync(string actor, string? username, string? scope, CancellationToken cancellationToken)
    {
        if (scope is null || AccessRights.TryFormatScope(scope) is not { } storedScope)
        {
            return AdminResult.InvalidScope;
        }

        return await ChangeAccessAsync(actor, username, entity => (entity.Roles, storedScope, entity.Disabled), AdminAction.SetScope, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disables the account: no login, no refresh, and every token it holds is revoked.</summary>
    public Task<AdminResult> DisableAsync(string actor, string? username, CancellationToken cancellationToken) =>
        ChangeAccessAsync(actor, username, entity => (entity.Roles, entity.Scope, true), AdminAction.Disable, cancellationToken);

    public Task<AdminResult> EnableAsync(string actor, string? username, CancellationToken cancellationToken) =>
        ChangeAccessAsync(actor, username, entity => (entity.Roles, entity.Scope, false), AdminAction.Enable, cancellationToken);

    /// <summary>Ends a lock-out (and forgets counted failures).</summary>
    public async Task<AdminResult> UnlockAsync(string actor, string? username, CancellationToken cancellationToken)
    {
        if (!Usernames.TryNormalize(username, out var user) || await users.FindAsync(user, cancellationToken).ConfigureAwait(false) is null)
        {
            return AdminResult.NotFound;
        }

        await users.DeleteLockoutAsync(user, cancellationToken).ConfigureAwait(false);
        AdminLog.Changed(logger, actor, AdminAction.Unlock, user);
        return AdminResult.Done;
    }

    /// <summary>Sets a new password (the same rule as register) and ends every token of the user, as a password change does.</summary>
    public async Task<AdminResult> ResetPasswordAsync(string actor, string? username, string? newPassword, CancellationToken cancellationToken)
    {
        if (!Usernames.TryNormalize(username, out var user))
        {
            return AdminResult.NotFound;
        }

        if (Refused(Passwords.Check(newPassword)) is { } refusedPassword)
        {
            return refusedPassword;
        }

        if (await users.FindAsync(user, cancellationToken).ConfigureAwait(false) is null
            || !await revoker.RevokeEverythingAsync(user, await hasher.HashAsync(newPassword!, cancellationToken).ConfigureAwait(false), RevocationReasons.PasswordChanged, cancellationToken).ConfigureAwait(false))
        {
            return AdminResult.NotFound;
        }

        AdminLog.Changed(logger, actor, AdminAction.ResetPassword, user);
        return AdminResult.Done;
    }

    /// <summary>Ends every token of the user (access and refresh), as "log out everywhere".</summary>
    public async Task<AdminResult> RevokeAllAsync(string actor, string? username, CancellationToken cancellationToken)
    {
        if (!Usernames.TryNormalize(username, out var user)
            || !await revoker.RevokeEverythingAsync(user, null, RevocationReasons.AdminRevoked, cancellationToken).ConfigureAwait(false))
        {
            return AdminResult.NotFound;
        }

        AdminLog.Changed(logger, actor, AdminAction.RevokeAll, user);
        return AdminResult.Done;
    }

    /// <summary>Revokes every token of the user, then removes its rows (account, lock-out, refresh tokens).</summary>
    public async Task<AdminResult> DeleteAsync(string actor, string? username, CancellationToken cancellationToken)
    {
        if (!Usernames.TryNormalize(username, out var user))
        {
            return AdminResult.NotFound;
        }

        return await UnderAdminGuardAsync(async () =>
        {
            var entity = await users.FindAsync(user, cancellationToken).ConfigureAwait(false);
            if (entity is null)
            {
                return AdminResult.NotFound;
            }

            if (IsEnabledAdmin(entity) && await CountEnabledAdminsAsync(cancellationToken).ConfigureAwait(false) <= 1)
            {
                return AdminResult.LastAdmin;
            }

            // Tokens first: from here no token of the account is accepted, even if deleting the rows fails halfway.
            await revoker.RevokeEverythingAsync(user, null, RevocationReasons.AdminRevoked, cancellationToken).ConfigureAwait(false);
            await refreshTokens.DeleteAllAsync(user, cancellationToken).ConfigureAwait(false);
            await users.DeleteUserAsync(user, cancellationToken).ConfigureAwait(false);
            AdminLog.Changed(logger, actor, AdminAction.Delete, user);
            return AdminResult.Done;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the user, computes its new roles, scopes and disabled flag, and writes them if the row
    /// is unchanged since read. A change that takes a right away (a role or scope removed, the
    /// account disabled) then raises the token generation, so tokens issued before it fail at once
    /// here and within the revocation interval elsewhere; a change that only adds rights shows at
    /// the next refresh. Changes that could remove the last enabled admin run under the admins' guard.
    /// </summary>
    private async Task<AdminResult> ChangeAccessAsync(
        string actor, string? username, Func<UserEntity, (string Roles, string Scope, bool Disabled)> change, AdminAction action, CancellationToken cancellationToken)
    {
        if (!Usernames.TryNormalize(username, out var user))
        {
            return AdminResult.NotFound;
        }

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var entity = await users.FindAsync(user, cancellationToken).ConfigureAwait(false);
            if (entity is null)
            {
                return AdminResult.NotFound;
            }

            var (roles, scope, disabled) = change(entity);
            var removesAdmin = IsEnabledAdmin(entity) && (disabled || !AccessRights.Contains(roles, AccessRights.AdminRole));
            var result = removesAdmin
                ? await UnderAdminGuardAsync(async () =>
                    await CountEnabledAdminsAsync(cancellationToken).ConfigureAwait(false) <= 1
                        ? AdminResult.LastAdmin
                        : await users.TryUpdateAccessAsync(entity, roles, scope, disabled, cancellationToken).ConfigureAwait(false) ? AdminResult.Done : AdminResult.Conflict,
                    cancellationToken).ConfigureAwait(false)
                : await users.TryUpdateAccessAsync(entity, roles, scope, disabled, cancellationToken).ConfigureAwait(false) ? AdminResult.Done : AdminResult.Conflict;
            if (result == AdminResult.Conflict)
            {
                continue;
            }

            if (result != AdminResult.Done)
            {
                return result;
            }

            var removesRights = (disabled && !entity.Disabled)
                || AccessRights.Split(entity.Roles).Except(AccessRights.Split(roles), StringComparer.Ordinal).Any()
                || AccessRights.Split(entity.Scope).Except(AccessRights.Split(scope), StringComparer.Ordinal).Any();
            if (removesRights)
            {
                await revoker.RevokeEverythingAsync(user, null, RevocationReasons.AdminRevoked, cancellationToken).ConfigureAwait(false);
            }

            AdminLog.AccessChanged(logger, actor, action, user, roles, scope, disabled, removesRights);
            return AdminResult.Done;
        }

        throw new InvalidOperationException($"The user row of {user} kept changing; could not change its access.");
    }

    private async Task<AdminResult> UnderAdminGuardAsync(Func<Task<AdminResult>> action, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + GuardWait;
        while (true)
        {
            var guard = await users.TryAcquireAdminGuardAsync(GuardLease, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            if (guard is not null)
            {
                try
                {
                    return await action().ConfigureAwait(false);
                }
                finally
                {
                    await users.ReleaseAdminGuardAsync(guard, CancellationToken.None).ConfigureAwait(false);
                }
            }

            if (time.GetUtcNow() > deadline)
            {
                return AdminResult.Busy;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int> CountEnabledAdminsAsync(CancellationToken cancellationToken) =>
        (await users.ListAccessAsync(cancellationToken).ConfigureAwait(false)).Count(IsEnabledAdmin);

    private static bool IsEnabledAdmin(UserEntity user) => !user.Disabled && AccessRights.Contains(user.Roles, AccessRights.AdminRole);

    private static UserSummary Summary(UserEntity user, LockoutEntity? lockout, DateTimeOffset now) =>
        new(user.PartitionKey, AccessRights.Split(user.Roles), user.Scope, user.Disabled, lockout?.LockedUntil is { } until && until > now ? until : null);

    private static AdminResult? Refused(PasswordProblem problem) => problem switch
    {
        PasswordProblem.None => null,
        PasswordProblem.Common => AdminResult.CommonPassword,
        _ => AdminResult.InvalidPassword,
    };
}

/// <summary>The outcome of an admin action; the API maps each to its status in one place (AdminResponses).</summary>
public enum AdminResult
{
    Done,
    NotFound,
    UsernameTaken,
    InvalidUsername,
    InvalidPassword,

    /// <summary>A password on the common-password list (NIST SP 800-63B §3.1.1.2).</summary>
    CommonPassword,
    InvalidRoles,
    InvalidScope,
    InvalidLimit,
    InvalidContinuation,

    /// <summary>The change would leave no enabled admin.</summary>
    LastAdmin,

    /// <summary>Another change to the admins held the guard for too long: try again.</summary>
    Busy,

    /// <summary>Internal: the row changed between read and write; retried, never returned.</summary>
    Conflict,
}

public enum AdminAction
{
    SetRoles,
    SetScope,
    Disable,
    Enable,
    Unlock,
    ResetPassword,
    RevokeAll,
    Delete,
}

/// <summary>One user as the admin sees it. <see cref="LockedUntil"/> only while a lock-out lasts.</summary>
public sealed record UserSummary(string Username, IReadOnlyList<string> Roles, string Scope, bool Disabled, DateTimeOffset? LockedUntil);

/// <summary>A page of users; <see cref="Continuation"/> is <c>null</c> on the last page.</summary>
public sealed record UserPage(IReadOnlyList<UserSummary> Users, string? Continuation);

/// <summary>Audit events of user administration: who did what to whom. Never a password, hash or token.</summary>
internal static partial class AdminLog
{
    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Audit: {Actor} created user {User} with roles [{Roles}]")]
    public static partial void Created(ILogger logger, string actor, string user, string roles);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Information, Message = "Audit: {Actor} did {Action} on user {User}")]
    public static partial void Changed(ILogger logger, string actor, AdminAction action, string user);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Information, Message = "Audit: {Actor} did {Action} on user {User}: roles [{Roles}], scope [{Scope}], disabled {Disabled}, tokens revoked {Revoked}")]
    public static partial void AccessChanged(ILogger logger, string actor, AdminAction action, string user, string roles, string scope, bool disabled, bool revoked);
}
