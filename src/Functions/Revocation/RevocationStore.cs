using Azure;
using Azure.Data.Tables;
using JwtFunctions.Endpoints;
using JwtFunctions.Hosting;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Revocation;

/// <summary>Revoked access tokens and raised token generations, read in full by every instance's revocation list.</summary>
public sealed class RevocationStore
{
    private readonly ProvisionedTable _table;

    public RevocationStore(TableServiceClient service, IOptions<StorageOptions> options)
    {
        _table = new ProvisionedTable(service.GetTableClient(options.Value.RevocationsTable));
    }

    /// <summary>Refuses one access token (its <c>jti</c>) until <paramref name="keepUntil"/>.</summary>
    public Task AddRevokedTokenAsync(string tokenId, string subject, DateTimeOffset keepUntil, CancellationToken cancellationToken) =>
        AddRevokedIdAsync(RevokedIdEntity.TokenPartition, tokenId, subject, keepUntil, cancellationToken);

    /// <summary>Ends every access token of one session (its <c>sid</c>) until <paramref name="keepUntil"/>.</summary>
    public Task AddRevokedSessionAsync(string sessionId, string subject, DateTimeOffset keepUntil, CancellationToken cancellationToken) =>
        AddRevokedIdAsync(RevokedIdEntity.SessionPartition, sessionId, subject, keepUntil, cancellationToken);

    private async Task AddRevokedIdAsync(string partition, string id, string subject, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(new RevokedIdEntity { PartitionKey = partition, RowKey = id, Subject = subject, ExpiresAt = keepUntil }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
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
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Someone published at the same time; read again and keep the larger.
            }
        }
    }

    /// <summary>Everything still in force at <paramref name="now"/>.</summary>
    public async Task<RevocationSet> LoadAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var revoked = await LoadIdsAsync(table, RevokedIdEntity.TokenPartition, now, cancellationToken).ConfigureAwait(false);
        var sessions = await LoadIdsAsync(table, RevokedIdEntity.SessionPartition, now, cancellationToken).ConfigureAwait(false);

        var generations = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var entity in table.QueryAsync<TokenGenerationEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {TokenGenerationEntity.Partition} and ExpiresAt ge {now}"),
            select: ["RowKey", "Generation"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            generations[entity.RowKey] = entity.Generation;
        }

        return new RevocationSet(revoked, sessions, generations);
    }

    private static async Task<HashSet<string>> LoadIdsAsync(TableClient table, string partition, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entity in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partition} and ExpiresAt ge {now}"),
            select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            ids.Add(entity.RowKey);
        }

        return ids;
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
/// A revoked id, in force until <see cref="ExpiresAt"/>. Partition <c>jti</c>: one access token, kept
/// until the last instant any validator would accept it (its <c>exp</c> plus the clock skew).
/// Partition <c>sid</c>: an ended session (RFC 7009 §2.1: revoking a refresh token may also revoke
/// the access tokens of the same grant), kept until the last access token the session can have
/// been issued has expired, skew included.
/// </summary>
public sealed class RevokedIdEntity : ITableEntity
{
    public const string TokenPartition = "jti";
    public const string SessionPartition = "sid";

    public string PartitionKey { get; set; } = TokenPartition;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Subject { get; set; } = string.Empty;

    public DateTimeOffset ExpiresAt { get; set; }
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
