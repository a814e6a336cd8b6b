using Azure;
using Azure.Data.Tables;
using JwtFunctions.Hosting;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Accounts;

/// <summary>User accounts in Table Storage. Usernames arrive normalized and are only ever used as keys, never in a filter.</summary>
public sealed class UserStore
{
    private readonly ProvisionedTable _table;

    public UserStore(TableServiceClient service, IOptions<StorageOptions> options)
    {
        _table = new ProvisionedTable(service.GetTableClient(options.Value.UsersTable));
    }

    /// <summary>The table, for the cleanup.</summary>
    internal ValueTask<TableClient> GetTableAsync(CancellationToken cancellationToken) => _table.GetAsync(cancellationToken);

    public async Task<UserEntity?> FindAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<UserEntity>(normalizedUsername, UserEntity.Row, cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>Adds the user; <c>false</c> when the name is taken (the insert is atomic, so two registrations cannot both win).</summary>
    public async Task<bool> TryCreateAsync(UserEntity user, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(user, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Replaces the hash if the row is unchanged since it was read; a concurrent change wins.</summary>
    public async Task<bool> TryUpdatePasswordHashAsync(UserEntity user, string passwordHash, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var update = new TableEntity(user.PartitionKey, user.RowKey) { [nameof(UserEntity.PasswordHash)] = passwordHash };
        try
        {
            await table.UpdateEntityAsync(update, user.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    /// <summary>
    /// Replaces the hash (when given) and raises the token generation by one, if the row is
    /// unchanged since it was read. Returns the new generation, or <c>null</c> when a concurrent
    /// change won (read again and retry).
    /// </summary>
    public async Task<long?> TryRaiseGenerationAsync(UserEntity user, string? newPasswordHash, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var generation = user.TokenGeneration + 1;
        var update = new TableEntity(user.PartitionKey, user.RowKey) { [nameof(UserEntity.TokenGeneration)] = generation };
        if (newPasswordHash is not null)
        {
            update[nameof(UserEntity.PasswordHash)] = newPasswordHash;
        }

        try
        {
            await table.UpdateEntityAsync(update, user.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            return generation;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return null;
        }
    }

    public async Task<LockoutEntity?> FindLockoutAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<LockoutEntity>(normalizedUsername, LockoutEntity.Row, cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>
    /// The round trips of a lock-out read and conditional write, on a row that never exists, so
    /// nothing is written: what a login for an unknown name spends in place of the reservation
    /// an account's login takes, so that the two cost the same storage work.
    /// </summary>
    public async Task MatchLockoutRoundTripsAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        await table.GetEntityIfExistsAsync<LockoutEntity>(normalizedUsername, LockoutEntity.Row, cancellationToken: cancellationToken).ConfigureAwait(false);
        await MatchLockoutWriteAsync(normalizedUsername, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The conditional write of <see cref="MatchLockoutRoundTripsAsync"/> alone, on the row that never exists.</summary>
    public async Task MatchLockoutWriteAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.UpdateEntityAsync(new TableEntity(normalizedUsername, NeverWrittenRow), ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    /// <summary>A row key no entity ever has (see <see cref="MatchLockoutRoundTripsAsync"/>).</summary>
    private const string NeverWrittenRow = "lockout-none";

    /// <summary>
    /// Adds or replaces the lock-out row if unchanged since read (ETag); <c>false</c> when another
    /// writer won, or the cleanup deleted the row since it was read (404): read it again.
    /// </summary>
    public async Task<bool> TrySaveLockoutAsync(LockoutEntity lockout, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (lockout.ETag == default)
            {
                await table.AddEntityAsync(lockout, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await table.UpdateEntityAsync(lockout, lockout.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            return false;
        }
    }

    /// <summary>
    /// Replaces roles, scopes and the disabled flag if the row is unchanged since it was read;
    /// <c>false</c> when a concurrent change won (read again and retry) or the row is gone.
    /// </summary>
    public async Task<bool> TryUpdateAccessAsync(UserEntity user, string roles, string scope, bool disabled, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var update = new TableEntity(user.PartitionKey, user.RowKey)
        {
            [nameof(UserEntity.Roles)] = roles,
            [nameof(UserEntity.Scope)] = scope,
            [nameof(UserEntity.Disabled)] = disabled,
        };
        try
        {
            await table.UpdateEntityAsync(update, user.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    /// <summary>
    /// Up to <paramref name="limit"/> users whose name sorts after <paramref name="after"/> (each
    /// with its lock-out row, which sorts before the user row in the same partition), and whether
    /// more follow. Names are passed through <see cref="TableClient.CreateQueryFilter(FormattableString)"/>.
    /// </summary>
    public async Task<(IReadOnlyList<(UserEntity User, LockoutEntity? Lockout)> Users, bool More)> ListAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var filter = after is null
            ? TableClient.CreateQueryFilter($"RowKey eq {UserEntity.Row} or RowKey eq {LockoutEntity.Row}")
            : TableClient.CreateQueryFilter($"PartitionKey gt {after} and (RowKey eq {UserEntity.Row} or RowKey eq {LockoutEntity.Row})");
        var users = new List<(UserEntity, LockoutEntity?)>(limit);
        LockoutEntity? pendingLockout = null;
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(1000, (limit + 1) * 2), select: ListedColumns, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.RowKey == LockoutEntity.Row)
            {
                pendingLockout = new LockoutEntity { PartitionKey = row.PartitionKey, LockedUntil = row.GetDateTimeOffset(nameof(LockoutEntity.LockedUntil)) };
                continue;
            }

            if (users.Count == limit)
            {
                return (users, true);
            }

            users.Add((ToUser(row), pendingLockout?.PartitionKey == row.PartitionKey ? pendingLockout : null));
            pendingLockout = null;
        }

        return (users, false);
    }

    /// <summary>Every account's roles and disabled flag (for the last-admin rule); no hashes are read.</summary>
    public async Task<List<UserEntity>> ListAccessAsync(CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var users = new List<UserEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"RowKey eq {UserEntity.Row}"),
            select: ["PartitionKey", "RowKey", nameof(UserEntity.Roles), nameof(UserEntity.Disabled)],
            cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            users.Add(ToUser(row));
        }

        return users;
    }

    /// <summary>Deletes the lock-out row (failures, lock-out, reservations); nothing when there is none.</summary>
    public async Task DeleteLockoutAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        await table.DeleteEntityAsync(normalizedUsername, LockoutEntity.Row, ETag.All, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes every row of the user's partition (the user row and its lock-out row).</summary>
    public async Task DeleteUserAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {normalizedUsername}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Takes the administrators' guard: a lease row (in a partition no username can have, '~' is
    /// not a username character) that serializes every change that could remove the last enabled
    /// admin, across instances and the admin CLI. <c>null</c> when another holder has it; the
    /// lease ends by itself after <paramref name="lease"/> if its holder dies.
    /// </summary>
    public async Task<TableEntity?> TryAcquireAdminGuardAsync(TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(AdminGuardPartition, AdminGuardRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        var guard = new TableEntity(AdminGuardPartition, AdminGuardRow) { ["HeldUntil"] = now + lease };
        try
        {
            if (!found.HasValue || found.Value is null)
            {
                var added = await table.AddEntityAsync(guard, cancellationToken).ConfigureAwait(false);
                guard.ETag = added.Headers.ETag ?? default;
                return guard;
            }

            var current = found.Value;
            if (current.GetDateTimeOffset("HeldUntil") is { } heldUntil && heldUntil > now)
            {
                return null;
            }

            var updated = await table.UpdateEntityAsync(guard, current.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            guard.ETag = updated.Headers.ETag ?? default;
            return guard;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return null;
        }
    }

    /// <summary>Gives the guard back (only if it is still the one taken: an expired lease may have passed on).</summary>
    public async Task ReleaseAdminGuardAsync(TableEntity guard, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.DeleteEntityAsync(AdminGuardPartition, AdminGuardRow, guard.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
        }
    }

    /// <summary>What a listing reads: never the password hash.</summary>
    private static readonly string[] ListedColumns =
        ["PartitionKey", "RowKey", nameof(UserEntity.Username), nameof(UserEntity.Roles), nameof(UserEntity.Scope), nameof(UserEntity.Disabled), nameof(LockoutEntity.LockedUntil)];

    private const string AdminGuardPartition = "~admins";
    private const string AdminGuardRow = "guard";

    private static UserEntity ToUser(TableEntity row) => new()
    {
        PartitionKey = row.PartitionKey,
        RowKey = row.RowKey,
        ETag = row.ETag,
        Username = row.GetString(nameof(UserEntity.Username)) ?? row.PartitionKey,
        Roles = row.GetString(nameof(UserEntity.Roles)) ?? string.Empty,
        Scope = row.GetString(nameof(UserEntity.Scope)) ?? string.Empty,
        Disabled = row.GetBoolean(nameof(UserEntity.Disabled)) ?? false,
        TokenGeneration = row.GetInt64(nameof(UserEntity.TokenGeneration)) ?? 0,
    };

    /// <summary>A cheap round trip for health: proves the table answers.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        await table.GetEntityIfExistsAsync<TableEntity>("~health", "~health", ["PartitionKey"], cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A user account. PartitionKey is the lower-case username; one row per user.</summary>
public sealed class UserEntity : ITableEntity
{
    public const string Row = "user";

    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = Row;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>The username as registered (display form).</summary>
    public string Username { get; set; } = string.Empty;

    /// <summary>A <see cref="Accounts.PasswordHasher"/> hash. Never logged.</summary>
    public string PasswordHash { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Raised by "log out everywhere" and a password change; tokens carry it as <c>gen</c>, and
    /// tokens of an older generation are refused.
    /// </summary>
    public long TokenGeneration { get; set; }

    /// <summary>Roles, space-separated, sorted (see <see cref="Admin.AccessRights"/>); access tokens carry them as <c>roles</c> (RFC 9068 §2.2.3.1).</summary>
    public string Roles { get; set; } = string.Empty;

    /// <summary>Scopes, space-separated (RFC 6749 §3.3); access tokens carry them as <c>scope</c> (RFC 9068 §2.2.3).</summary>
    public string Scope { get; set; } = string.Empty;

    /// <summary>A disabled account can neither log in nor refresh; disabling it also raised its token generation.</summary>
    public bool Disabled { get; set; }

    /// <summary>
    /// The generation a new account starts at: its creation time in Unix milliseconds, so that
    /// it is above any generation a deleted account of the same name published (a name deleted
    /// and created again must not inherit the deny entry that ended the old account's tokens).
    /// </summary>
    public static long InitialGeneration(DateTimeOffset createdAt) => createdAt.ToUnixTimeMilliseconds();

    public override string ToString() => $"UserEntity({PartitionKey})";
}
