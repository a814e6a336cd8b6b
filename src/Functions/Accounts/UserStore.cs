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

    public override string ToString() => $"UserEntity({PartitionKey})";
}
