using Azure;
using Azure.Data.Tables;
using JwtFunctions.Endpoints;
using JwtFunctions.Hosting;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Revocation;

/// <summary>
/// Revoked access tokens, ended sessions and raised token generations, read by every instance's
/// revocation list. Revoked ids are partitioned by the hour their entry expires in
/// (<see cref="RevokedIdEntity.BucketFor"/>), so a reload reads only the buckets that have not
/// ended yet, however much history the table holds; <see cref="Cleanup.CleanupService"/> deletes
/// the ended buckets.
/// </summary>
public sealed class RevocationStore
{
    private readonly ProvisionedTable _table;

    /// <summary>The table, for the cleanup.</summary>
    internal ValueTask<TableClient> GetTableAsync(CancellationToken cancellationToken) => _table.GetAsync(cancellationToken);

    public RevocationStore(TableServiceClient service, IOptions<StorageOptions> options)
    {
        _table = new ProvisionedTable(service.GetTableClient(options.Value.RevocationsTable));
    }

    /// <summary>Refuses one access token (its <c>jti</c>) until <paramref name="keepUntil"/>.</summary>
    public Task AddRevokedTokenAsync(string tokenId, string subject, DateTimeOffset keepUntil, CancellationToken cancellationToken) =>
        AddRevokedIdAsync(RevokedIdEntity.TokenRowPrefix, tokenId, subject, keepUntil, cancellationToken);

    /// <summary>Ends every access token of one session (its <c>sid</c>) until <paramref name="keepUntil"/>.</summary>
    public Task AddRevokedSessionAsync(string sessionId, string subject, DateTimeOffset keepUntil, CancellationToken cancellationToken) =>
        AddRevokedIdAsync(RevokedIdEntity.SessionRowPrefix, sessionId, subject, keepUntil, cancellationToken);

    private async Task AddRevokedIdAsync(string rowPrefix, string id, string subject, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var entity = new RevokedIdEntity { PartitionKey = RevokedIdEntity.BucketFor(keepUntil), RowKey = rowPrefix + id, Subject = subject, ExpiresAt = keepUntil };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Publishes a generation; never lowers one already published.</summary>
    public async Task PublishGenerationAsync(string user, long generation, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var existing = await table.GetEntityIfExistsAsync<TokenGenerationEntity>(TokenGenerationEntity.Partition, user, cancellationToken: cancellationToken).ConfigureAwait(false);
            var entity = new TokenGenerationEntity { RowKey = user, Generation = generation, ExpiresAt = keepUntil };
            try
            {
                if (!existing.HasValue)
                {
                    await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
                }
                else if (existing.Value!.Generation < generation || existing.Value.ExpiresAt < keepUntil)
                {
                    entity.Generation = Math.Max(generation, existing.Value.Generation);
                    await table.UpdateEntityAsync(entity, existing.Value.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                }

                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
            {
                // Someone published at the same time, or the cleanup deleted the expired row
                // read (404); read again and keep the larger.
            }
        }
    }

    /// <summary>
    /// Everything still in force at <paramref name="now"/>: the revoked ids of the current and later
    /// expiry buckets (earlier buckets ended before <paramref name="now"/> and are never read), what
    /// remains in the two partitions of the layout before buckets, and the raised generations.
    /// </summary>
    public async Task<RevocationSet> LoadAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var revoked = new HashSet<string>(StringComparer.Ordinal);
        var sessions = new HashSet<string>(StringComparer.Ordinal);
        var live = TableClient.CreateQueryFilter(
            $"PartitionKey ge {RevokedIdEntity.BucketFor(now)} and PartitionKey lt {RevokedIdEntity.BucketPrefixEnd} and ExpiresAt ge {now}");
        await foreach (var entity in table.QueryAsync<TableEntity>(live, select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (entity.RowKey.StartsWith(RevokedIdEntity.TokenRowPrefix, StringComparison.Ordinal))
            {
                revoked.Add(entity.RowKey[RevokedIdEntity.TokenRowPrefix.Length..]);
            }
            else if (entity.RowKey.StartsWith(RevokedIdEntity.SessionRowPrefix, StringComparison.Ordinal))
            {
                sessions.Add(entity.RowKey[RevokedIdEntity.SessionRowPrefix.Length..]);
            }
        }

        // Rows written before the expiry buckets (partitions "jti" and "sid", RowKey the bare id)
        // stay in force until they expire; the cleanup deletes them then, and these two reads
        // become reads of empty partitions.
        await LoadLegacyIdsAsync(table, RevokedIdEntity.LegacyTokenPartition, now, revoked, cancellationToken).ConfigureAwait(false);
        await LoadLegacyIdsAsync(table, RevokedIdEntity.LegacySessionPartition, now, sessions, cancellationToken).ConfigureAwait(false);

        var generations = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var entity in table.QueryAsync<TokenGenerationEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {TokenGenerationEntity.Partition} and ExpiresAt ge {now}"),
            select: ["RowKey", "Generation"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            generations[entity.RowKey] = entity.Generation;
        }

        return new RevocationSet(revoked, sessions, generations);
    }

    private static async Task LoadLegacyIdsAsync(TableClient table, string partition, DateTimeOffset now, HashSet<string> ids, CancellationToken cancellationToken)
    {
        await foreach (var entity in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partition} and ExpiresAt ge {now}"),
            select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            ids.Add(entity.RowKey);
        }
    }
}

/// <summary>What the revocation table holds in force: access-token ids, session ids, raised generations by user.</summary>
public sealed record RevocationSet(HashSet<string> TokenIds, HashSet<string> SessionIds, Dictionary<string, long> Generations);

public static class RevocationReasons
{
    public const string Logout = "logout";
    public const string LogoutEverywhere = "logout-all";
    public const string PasswordChanged = "password-changed";

    /// <summary>An administrator took rights away, disabled, revoked or deleted the account.</summary>
    public const string AdminRevoked = "admin";

    /// <summary>RFC 7009 revocation request.</summary>
    public const string Revoked = "revoked";

    /// <summary>A spent refresh token was presented again (RFC 9700 §4.14.2): assume it was stolen.</summary>
    public const string Reuse = "reuse";

    /// <summary>The session reached its absolute lifetime.</summary>
    public const string SessionExpired = "session-expired";
}

/// <summary>
/// A revoked id, in force until <see cref="ExpiresAt"/>. RowKey <c>jti_{id}</c>: one access token,
/// kept until the last instant any validator would accept it (its <c>exp</c> plus the clock skew).
/// RowKey <c>sid_{id}</c>: an ended session (RFC 7009 §2.1: revoking a refresh token may also revoke
/// the access tokens of the same grant), kept until the last access token the session can have
/// been issued has expired, skew included. PartitionKey: the UTC hour <see cref="ExpiresAt"/> falls
/// in (<see cref="BucketFor"/>), so every row of a bucket that began before the current hour's has
/// expired.
/// </summary>
public sealed class RevokedIdEntity : ITableEntity
{
    public const string TokenRowPrefix = "jti_";
    public const string SessionRowPrefix = "sid_";

    /// <summary>Every bucket's PartitionKey starts with this.</summary>
    public const string BucketPrefix = "exp-";

    /// <summary>The first key after every <see cref="BucketPrefix"/> key ('.' follows '-'): the exclusive end of a bucket range query.</summary>
    public const string BucketPrefixEnd = "exp.";

    /// <summary>Partitions of the layout before expiry buckets (RowKey the bare id); read and cleaned until empty.</summary>
    public const string LegacyTokenPartition = "jti";
    public const string LegacySessionPartition = "sid";

    /// <summary>The width of one expiry bucket.</summary>
    public static readonly TimeSpan BucketWidth = TimeSpan.FromHours(1);

    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Subject { get; set; } = string.Empty;

    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>
    /// The bucket an entry in force until <paramref name="expiresAt"/> lives in: <c>exp-yyyyMMddHH</c>
    /// of its UTC hour. The keys sort as the hours do, so "this hour's bucket or later" is one range.
    /// </summary>
    public static string BucketFor(DateTimeOffset expiresAt) =>
        BucketPrefix + expiresAt.UtcDateTime.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// A user's raised token generation, published for every instance's revocation list. Kept until
/// every access token of an older generation has expired (raised-at + access lifetime + 2 x skew).
/// </summary>
public sealed class TokenGenerationEntity : ITableEntity
{
    public const string Partition = "gen";

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public long Generation { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
