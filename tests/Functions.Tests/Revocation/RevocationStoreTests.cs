using Azure.Data.Tables;
using JwtFunctions.Hosting;
using JwtFunctions.Revocation;
using JwtFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Tests.Revocation;

/// <summary>The revocation table on Azurite: what a reload reads, and for how long an entry is in force.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RevocationStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 16, 30, 0, TimeSpan.Zero);
    private readonly TableClient _table;
    private readonly RevocationStore _store;

    public RevocationStoreTests(AzuriteFixture azurite)
    {
        var options = new StorageOptions { RevocationsTable = "Revoked" + Guid.NewGuid().ToString("N")[..10] };
        var service = azurite.CreateServiceClient();
        _table = service.GetTableClient(options.RevocationsTable);
        _store = new RevocationStore(service, Options.Create(options));
    }

    [Fact]
    public async Task AnEntryIsInForceUntilItsLastInstantAcrossBucketBoundaries()
    {
        var keepUntil = Now.AddMinutes(95); // two hour buckets after Now's
        await _store.AddRevokedTokenAsync("jti-1", "alice", keepUntil, default);
        await _store.AddRevokedSessionAsync("sid-1", "alice", keepUntil, default);

        foreach (var at in new[] { Now, keepUntil.AddMinutes(-61), keepUntil })
        {
            var loaded = await _store.LoadAsync(at, default);
            Assert.Contains("jti-1", loaded.TokenIds);
            Assert.Contains("sid-1", loaded.SessionIds);
            Assert.DoesNotContain("sid-1", loaded.TokenIds);
        }

        var after = await _store.LoadAsync(keepUntil.AddMilliseconds(1), default);
        Assert.Empty(after.TokenIds);
        Assert.Empty(after.SessionIds);
    }

    [Fact]
    public async Task AReloadDoesNotReadTheBucketsThatEndedBeforeIt()
    {
        // A historical entry, stored as the store stores it: it expired two hours ago.
        await _store.AddRevokedTokenAsync("old-jti", "alice", Now.AddHours(-2), default);
        await _store.AddRevokedTokenAsync("live-jti", "alice", Now.AddMinutes(10), default);

        // Make its row claim to be in force: if the reload read the row's partition at all, it
        // would return it. It does not: the reload reads only the buckets from Now's hour on.
        var row = await SingleRowAsync(id: "old-jti");
        row["ExpiresAt"] = Now.AddHours(1);
        await _table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge);

        var loaded = await _store.LoadAsync(Now, default);

        Assert.Contains("live-jti", loaded.TokenIds);
        Assert.DoesNotContain("old-jti", loaded.TokenIds);
    }

    [Fact]
    public async Task EntriesWrittenBeforeTheBucketsStayInForceUntilTheyExpire()
    {
        // The layout of f6b220e: partitions "jti" and "sid", RowKey the bare id.
        await _table.CreateIfNotExistsAsync();
        await _table.AddEntityAsync(new TableEntity("jti", "legacy-jti") { ["Subject"] = "alice", ["ExpiresAt"] = Now.AddMinutes(5) });
        await _table.AddEntityAsync(new TableEntity("sid", "legacy-sid") { ["Subject"] = "alice", ["ExpiresAt"] = Now.AddMinutes(5) });

        var loaded = await _store.LoadAsync(Now, default);
        Assert.Contains("legacy-jti", loaded.TokenIds);
        Assert.Contains("legacy-sid", loaded.SessionIds);

        var later = await _store.LoadAsync(Now.AddMinutes(6), default);
        Assert.Empty(later.TokenIds);
        Assert.Empty(later.SessionIds);
    }

    /// <summary>The one row of the id, whichever partition and row key the layout gives it.</summary>
    private async Task<TableEntity> SingleRowAsync(string id)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in _table.QueryAsync<TableEntity>())
        {
            if (row.RowKey == id || row.RowKey.EndsWith("_" + id, StringComparison.Ordinal))
            {
                rows.Add(row);
            }
        }

        return Assert.Single(rows);
    }
}
