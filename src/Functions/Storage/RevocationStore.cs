using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Storage;

/// <summary>Revoked access tokens and raised token generations, read in full by every instance's revocation list.</summary>
public sealed class RevocationStore
{
    private readonly ProvisionedTable _table;

    public RevocationStore(TableServiceClient service, IOptions<StorageOptions> options)
    {
        _table = new ProvisionedTable(service.GetTableClient(options.Value.RevocationsTable));
    }

    public async Task AddRevokedTokenAsync(string tokenId, string subject, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(new RevokedTokenEntity { RowKey = tokenId, Subject = subject, ExpiresAt = expiresAt }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
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
    public async Task<(HashSet<string> RevokedTokenIds, Dictionary<string, long> Generations)> LoadAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var revoked = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entity in table.QueryAsync<RevokedTokenEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {RevokedTokenEntity.Partition} and ExpiresAt ge {now}"),
            select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            revoked.Add(entity.RowKey);
        }

        var generations = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var entity in table.QueryAsync<TokenGenerationEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {TokenGenerationEntity.Partition} and ExpiresAt ge {now}"),
            select: ["RowKey", "Generation"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            generations[entity.RowKey] = entity.Generation;
        }

        return (revoked, generations);
    }
}
