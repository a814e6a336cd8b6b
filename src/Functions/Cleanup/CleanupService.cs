using Azure;
using Azure.Data.Tables;
using JwtFunctions.Accounts;
using JwtFunctions.Hosting;
using JwtFunctions.Revocation;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Cleanup;

/// <summary>
/// Deletes the rows no request can be answered differently for any more, and nothing else:
/// <list type="bullet">
/// <item>deny-list entries (<see cref="RevokedIdEntity"/>) and published generations
/// (<see cref="TokenGenerationEntity"/>) whose <c>ExpiresAt</c> has passed: each is kept until the last
/// instant a token it refuses could still validate (its <c>exp</c> plus the clock skew), and the
/// revocation list stops reading it then;</item>
/// <item>refresh tokens past their <c>exp</c> plus the clock skew, spent or not: validation refuses
/// them before the store is asked, so reuse detection needs them no longer;</item>
/// <item>refresh families past their absolute lifetime (<see cref="AccountOptions.MaxSessionLifetime"/>)
/// plus one access-token lifetime and two skews: no refresh succeeds after the lifetime, and the
/// last access token issued in the session has expired by then; a token of a deleted family is
/// refused as unknown;</item>
/// <item>lock-out rows that mean the same as no row (<see cref="AccountLockout.IsSpent"/>);</item>
/// <item>throttle counters whose window has ended (<see cref="ThrottleEntity"/>): the next attempt
/// starts a new window whether the row is there or not.</item>
/// </list>
/// Safe with any number of instances running it at once: every delete is conditional on the ETag
/// read (a row changed since, e.g. a lock-out row a login just wrote, is left for the next run) and
/// a row already gone (404) or changed (412) is skipped. One run deletes at most
/// <see cref="CleanupOptions.MaxDeletesPerRun"/> rows; what is left waits for the next run. Rows of
/// other tables, and other rows of these tables, are never read for deletion.
/// </summary>
public sealed class CleanupService(
    RevocationStore revocations,
    RefreshTokenStore refreshTokens,
    UserStore users,
    LoginThrottle throttle,
    IOptions<CleanupOptions> options,
    IOptions<JwtOptions> jwt,
    IOptions<AccountOptions> accounts,
    TimeProvider time,
    ILogger<CleanupService> logger)
{
    /// <summary>One cleanup pass as of now.</summary>
    public async Task<CleanupResult> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var budget = new Budget(options.Value.MaxDeletesPerRun);
        var skew = jwt.Value.ClockSkew;

        var revocationTable = await revocations.GetTableAsync(cancellationToken).ConfigureAwait(false);
        // Entries are in force while ExpiresAt >= now (RevocationStore.LoadAsync); buckets after
        // the current one hold only entries in force, so they are not scanned.
        var revokedIds = await DeleteMatchingAsync(revocationTable, TableClient.CreateQueryFilter(
            $"PartitionKey ge {RevokedIdEntity.BucketPrefix} and PartitionKey le {RevokedIdEntity.BucketFor(now)} and ExpiresAt lt {now}"), budget, cancellationToken).ConfigureAwait(false);
        revokedIds += await DeleteMatchingAsync(revocationTable, TableClient.CreateQueryFilter(
            $"(PartitionKey eq {RevokedIdEntity.LegacyTokenPartition} or PartitionKey eq {RevokedIdEntity.LegacySessionPartition}) and ExpiresAt lt {now}"), budget, cancellationToken).ConfigureAwait(false);
        var generations = await DeleteMatchingAsync(revocationTable, TableClient.CreateQueryFilter(
            $"PartitionKey eq {TokenGenerationEntity.Partition} and ExpiresAt lt {now}"), budget, cancellationToken).ConfigureAwait(false);

        var refreshTable = await refreshTokens.GetTableAsync(cancellationToken).ConfigureAwait(false);
        var tokens = await DeleteMatchingAsync(refreshTable, TableClient.CreateQueryFilter(
            $"RowKey ge {RefreshTokenEntity.RowPrefix} and RowKey lt {RefreshTokenEntity.RowPrefixEnd} and ExpiresAt lt {now - skew}"), budget, cancellationToken).ConfigureAwait(false);
        var familyEnd = accounts.Value.MaxSessionLifetime + jwt.Value.AccessTokenLifetime + skew + skew;
        var families = await DeleteMatchingAsync(refreshTable, TableClient.CreateQueryFilter(
            $"RowKey ge {RefreshFamilyEntity.RowPrefix} and RowKey lt {RefreshFamilyEntity.RowPrefixEnd} and CreatedAt lt {now - familyEnd}"), budget, cancellationToken).ConfigureAwait(false);

        var usersTable = await users.GetTableAsync(cancellationToken).ConfigureAwait(false);
        var lockouts = await DeleteMatchingAsync<LockoutEntity>(usersTable, TableClient.CreateQueryFilter($"RowKey eq {LockoutEntity.Row}"),
            lockout => AccountLockout.IsSpent(lockout, now, accounts.Value), budget, cancellationToken).ConfigureAwait(false);

        var throttleTable = await throttle.GetTableAsync(cancellationToken).ConfigureAwait(false);
        var counters = await DeleteMatchingAsync(throttleTable, TableClient.CreateQueryFilter(
            $"RowKey eq {ThrottleEntity.Row} and WindowStart lt {now - throttle.Window}"), budget, cancellationToken).ConfigureAwait(false);

        var result = new CleanupResult(revokedIds, generations, tokens, families, lockouts, counters, budget.Exhausted);
        CleanupLog.Finished(logger, result.RevokedIds, result.Generations, result.RefreshTokens, result.Families, result.Lockouts, result.ThrottleCounters, result.BudgetExhausted);
        return result;
    }

    private static Task<int> DeleteMatchingAsync(TableClient table, string filter, Budget budget, CancellationToken cancellationToken) =>
        DeleteMatchingAsync<TableEntity>(table, filter, static _ => true, budget, cancellationToken);

    /// <summary>Deletes the rows <paramref name="filter"/> matches and <paramref name="dead"/> confirms, page by page, within the budget.</summary>
    private static async Task<int> DeleteMatchingAsync<T>(TableClient table, string filter, Func<T, bool> dead, Budget budget, CancellationToken cancellationToken)
        where T : class, ITableEntity, new()
    {
        var deleted = 0;
        if (budget.Exhausted)
        {
            return deleted;
        }

        await foreach (var page in table.QueryAsync<T>(filter, maxPerPage: 1000, cancellationToken: cancellationToken).AsPages().ConfigureAwait(false))
        {
            var rows = page.Values.Where(dead).Take(budget.Remaining).ToList();
            foreach (var partition in rows.GroupBy(row => row.PartitionKey, StringComparer.Ordinal))
            {
                foreach (var chunk in partition.Chunk(TableRowDeletes.MaxTransactionSize))
                {
                    deleted += await table.DeleteRowsAsync(chunk, cancellationToken).ConfigureAwait(false);
                }
            }

            budget.Spend(rows.Count);
            if (budget.Exhausted)
            {
                break;
            }
        }

        return deleted;
    }

    private sealed class Budget(int limit)
    {
        private int _spent;

        public int Remaining => Math.Max(0, limit - _spent);

        public bool Exhausted => _spent >= limit;

        public void Spend(int count) => _spent += count;
    }
}

/// <summary>
/// Rows one run deleted, by kind (a row another instance deleted at the same moment may be counted
/// by both); <see cref="BudgetExhausted"/> when it stopped at the budget.
/// </summary>
public sealed record CleanupResult(int RevokedIds, int Generations, int RefreshTokens, int Families, int Lockouts, int ThrottleCounters, bool BudgetExhausted);

internal static partial class CleanupLog
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Information,
        Message = "Cleanup deleted {RevokedIds} deny-list entries, {Generations} generations, {RefreshTokens} refresh tokens, {Families} sessions, {Lockouts} lock-out rows, {ThrottleCounters} throttle counters; budget exhausted: {BudgetExhausted}")]
    public static partial void Finished(ILogger logger, int revokedIds, int generations, int refreshTokens, int families, int lockouts, int throttleCounters, bool budgetExhausted);
}
