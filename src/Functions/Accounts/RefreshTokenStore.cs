using Azure;
using Azure.Data.Tables;
using JwtFunctions.Hosting;
using JwtFunctions.Revocation;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Accounts;

/// <summary>
/// Refresh-token state in Table Storage: one family per login, one entity per token. Rotation is
/// an entity-group transaction conditional on the spent token's ETag (optimistic concurrency), so
/// of two concurrent refreshes of one token exactly one succeeds, on any number of instances.
/// </summary>
public sealed class RefreshTokenStore
{
    private readonly ProvisionedTable _table;
    private readonly TimeProvider _time;

    public RefreshTokenStore(TableServiceClient service, IOptions<StorageOptions> options, TimeProvider time)
    {
        _table = new ProvisionedTable(service.GetTableClient(options.Value.RefreshTokensTable));
        _time = time;
    }

    /// <summary>The table, for the cleanup.</summary>
    internal ValueTask<TableClient> GetTableAsync(CancellationToken cancellationToken) => _table.GetAsync(cancellationToken);

    /// <summary>Starts a family with its first token, atomically.</summary>
    public async Task CreateFamilyAsync(string user, string familyId, string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var family = new RefreshFamilyEntity { PartitionKey = user, RowKey = RefreshFamilyEntity.RowKeyFor(familyId), CreatedAt = _time.GetUtcNow() };
        var token = NewToken(user, familyId, tokenId, expiresAt);
        await table.SubmitTransactionAsync(
            [new TableTransactionAction(TableTransactionActionType.Add, family), new TableTransactionAction(TableTransactionActionType.Add, token)],
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Spends <paramref name="tokenId"/> and adds its successor in one transaction, conditional on
    /// both the token and its family being unchanged since they were read. A token that was already
    /// spent, or that another request spent at the same moment, is reuse (RFC 9700 §4.14.2): the
    /// whole family is revoked. A family revoked meanwhile (a logout racing this refresh) or older
    /// than <paramref name="maxSessionLifetime"/> issues nothing.
    /// </summary>
    public async Task<RotationResult> RotateAsync(string user, string familyId, string tokenId, string successorId, DateTimeOffset successorExpiresAt, TimeSpan maxSessionLifetime, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var (family, token) = await ReadAsync(table, user, familyId, tokenId, cancellationToken).ConfigureAwait(false);
        if (family is null || token is null || token.FamilyId != familyId)
        {
            return RotationResult.NotFound;
        }

        if (family.Revoked)
        {
            return RotationResult.FamilyRevoked;
        }

        var now = _time.GetUtcNow();
        if (now >= family.CreatedAt + maxSessionLifetime)
        {
            // The session's absolute lifetime is over, however recently it was refreshed.
            await RevokeFamilyAsync(user, familyId, RevocationReasons.SessionExpired, cancellationToken).ConfigureAwait(false);
            return RotationResult.SessionExpired;
        }

        if (token.State != RefreshTokenStates.Active)
        {
            await RevokeFamilyAsync(user, familyId, RevocationReasons.Reuse, cancellationToken).ConfigureAwait(false);
            return RotationResult.Reused;
        }

        var touched = new TableEntity(user, family.RowKey) { [nameof(RefreshFamilyEntity.LastRotatedAt)] = now };
        var spent = new TableEntity(user, token.RowKey)
        {
            [nameof(RefreshTokenEntity.State)] = RefreshTokenStates.Spent,
            [nameof(RefreshTokenEntity.Successor)] = successorId,
            [nameof(RefreshTokenEntity.SpentAt)] = now,
        };
        try
        {
            await table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.UpdateMerge, touched, family.ETag),
                    new TableTransactionAction(TableTransactionActionType.UpdateMerge, spent, token.ETag),
                    new TableTransactionAction(TableTransactionActionType.Add, NewToken(user, familyId, successorId, successorExpiresAt)),
                ],
                cancellationToken).ConfigureAwait(false);
            return RotationResult.Rotated;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 409 or 404)
        {
            // The family or the token changed since they were read, or the cleanup deleted a row
            // whose last valid instant passed meanwhile (404): see what happened.
            (family, token) = await ReadAsync(table, user, familyId, tokenId, cancellationToken).ConfigureAwait(false);
            if (family is null || family.Revoked)
            {
                return RotationResult.FamilyRevoked;
            }

            if (token?.State == RefreshTokenStates.Spent)
            {
                // Two uses of one refresh token at the same moment: one of them is not the client.
                await RevokeFamilyAsync(user, familyId, RevocationReasons.Reuse, cancellationToken).ConfigureAwait(false);
                return RotationResult.Reused;
            }

            return RotationResult.LostRace;
        }
    }

    private static async Task<(RefreshFamilyEntity? Family, RefreshTokenEntity? Token)> ReadAsync(TableClient table, string user, string familyId, string tokenId, CancellationToken cancellationToken)
    {
        var familyRead = table.GetEntityIfExistsAsync<RefreshFamilyEntity>(user, RefreshFamilyEntity.RowKeyFor(familyId), cancellationToken: cancellationToken);
        var tokenRead = table.GetEntityIfExistsAsync<RefreshTokenEntity>(user, RefreshTokenEntity.RowKeyFor(tokenId), cancellationToken: cancellationToken);
        var family = await familyRead.ConfigureAwait(false);
        var token = await tokenRead.ConfigureAwait(false);
        return (family.HasValue ? family.Value : null, token.HasValue ? token.Value : null);
    }

    /// <summary>Revokes one family (logout, reuse). Unknown families are ignored.</summary>
    public async Task RevokeFamilyAsync(string user, string familyId, string reason, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.UpdateEntityAsync(Revocation(user, RefreshFamilyEntity.RowKeyFor(familyId), reason), ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    /// <summary>Deletes every refresh-token row of the user (families and tokens): the account is being removed.</summary>
    public async Task DeleteAllAsync(string user, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var batch = new List<TableEntity>(TableRowDeletes.MaxTransactionSize);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {user}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            // Whatever it holds now: the account is going. A row the cleanup deleted meanwhile is skipped.
            row.ETag = ETag.All;
            batch.Add(row);
            if (batch.Count == TableRowDeletes.MaxTransactionSize)
            {
                await table.DeleteRowsAsync(batch, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            await table.DeleteRowsAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Revokes every family of the user ("log out everywhere"). Returns how many were still live.</summary>
    public async Task<int> RevokeAllAsync(string user, string reason, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);

        // CreateQueryFilter escapes the values: the user name never reaches the filter verbatim.
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {user} and RowKey ge {RefreshFamilyEntity.RowPrefix} and RowKey lt {RefreshFamilyEntity.RowPrefixEnd} and Revoked eq {false}");
        var batch = new List<TableTransactionAction>(TableRowDeletes.MaxTransactionSize);
        var revoked = 0;
        await foreach (var family in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            batch.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, Revocation(user, family.RowKey, reason), ETag.All));
            if (batch.Count == TableRowDeletes.MaxTransactionSize)
            {
                revoked += await SubmitRevocationsAsync(table, batch, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            revoked += await SubmitRevocationsAsync(table, batch, cancellationToken).ConfigureAwait(false);
        }

        return revoked;
    }

    /// <summary>
    /// One transaction; if a family in it is gone (the cleanup deleted it after its absolute
    /// lifetime, between the query and this write), the rest one by one, the missing ones skipped.
    /// </summary>
    private static async Task<int> SubmitRevocationsAsync(TableClient table, List<TableTransactionAction> batch, CancellationToken cancellationToken)
    {
        try
        {
            await table.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
            return batch.Count;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }

        var revoked = 0;
        foreach (var action in batch)
        {
            try
            {
                await table.UpdateEntityAsync(action.Entity, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                revoked++;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
            }
        }

        return revoked;
    }

    public async Task<RefreshTokenEntity?> FindTokenAsync(string user, string tokenId, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<RefreshTokenEntity>(user, RefreshTokenEntity.RowKeyFor(tokenId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue ? found.Value : null;
    }

    public async Task<RefreshFamilyEntity?> FindFamilyAsync(string user, string familyId, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<RefreshFamilyEntity>(user, RefreshFamilyEntity.RowKeyFor(familyId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue ? found.Value : null;
    }

    private TableEntity Revocation(string user, string rowKey, string reason) => new(user, rowKey)
    {
        [nameof(RefreshFamilyEntity.Revoked)] = true,
        [nameof(RefreshFamilyEntity.RevokedAt)] = _time.GetUtcNow(),
        [nameof(RefreshFamilyEntity.RevokedReason)] = reason,
    };

    private static RefreshTokenEntity NewToken(string user, string familyId, string tokenId, DateTimeOffset expiresAt) => new()
    {
        PartitionKey = user,
        RowKey = RefreshTokenEntity.RowKeyFor(tokenId),
        FamilyId = familyId,
        ExpiresAt = expiresAt,
        State = RefreshTokenStates.Active,
    };
}

public enum RotationResult
{
    Rotated,

    /// <summary>No such token in this user's family.</summary>
    NotFound,

    /// <summary>The family was revoked (logout or earlier reuse).</summary>
    FamilyRevoked,

    /// <summary>The token was already spent, or spent by another request at the same moment: reuse. The family has now been revoked.</summary>
    Reused,

    /// <summary>The family's absolute lifetime is over. The family has now been revoked.</summary>
    SessionExpired,

    /// <summary>The family changed between read and write for another reason; nothing was issued.</summary>
    LostRace,
}

public static class RefreshTokenStates
{
    public const string Active = "active";
    public const string Spent = "spent";
}

/// <summary>
/// A refresh-token family: every token descended from one login (one session, the tokens' <c>sid</c>).
/// Revoking the family revokes all of them at once. PartitionKey is the user, RowKey <c>f_{familyId}</c>.
/// </summary>
public sealed class RefreshFamilyEntity : ITableEntity
{
    public const string RowPrefix = "f_";

    /// <summary>The first row key after every <see cref="RowPrefix"/> key ('`' follows '_'): the exclusive end of a family range query.</summary>
    public const string RowPrefixEnd = "f`";

    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>The login that started the session; the session's absolute lifetime counts from here.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The last rotation; every rotation writes it, so the family's ETag changes with each.</summary>
    public DateTimeOffset? LastRotatedAt { get; set; }

    public bool Revoked { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary><see cref="RevocationReasons"/>.</summary>
    public string? RevokedReason { get; set; }

    public static string RowKeyFor(string familyId) => RowPrefix + familyId;
}

/// <summary>
/// One refresh token, by <c>jti</c>. PartitionKey is the user, RowKey <c>t_{jti}</c>, so a rotation
/// (spend this one, add its successor) is one entity-group transaction in one partition.
/// </summary>
public sealed class RefreshTokenEntity : ITableEntity
{
    public const string RowPrefix = "t_";

    /// <summary>The first row key after every <see cref="RowPrefix"/> key ('`' follows '_'): the exclusive end of a token range query.</summary>
    public const string RowPrefixEnd = "t`";

    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string FamilyId { get; set; } = string.Empty;

    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary><see cref="RefreshTokenStates"/>: active until used once, then spent.</summary>
    public string State { get; set; } = RefreshTokenStates.Active;

    /// <summary>The <c>jti</c> of the token this one was exchanged for.</summary>
    public string? Successor { get; set; }

    public DateTimeOffset? SpentAt { get; set; }

    public static string RowKeyFor(string tokenId) => RowPrefix + tokenId;
}
