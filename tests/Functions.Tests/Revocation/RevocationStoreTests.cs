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
    private readonly AzuriteFixture _azurite;
    private readonly StorageOptions _options;
    private readonly TableClient _table;
    private readonly RevocationStore _store;

    public RevocationStoreTests(AzuriteFixture azurite)
    {
        _azurite = azurite;
        _options = new StorageOptions { RevocationsTable = "Revoked" + Guid.NewGuid().ToString("N")[..10] };
        var service = azurite.CreateServiceClient();
        _table = service.GetTableClient(_options.RevocationsTable);
        _store = new RevocationStore(service, Options.Create(_options));
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

    [Fact]
    public async Task AGenerationIsPublishedWhenTheCleanupDeletesTheExpiredRowItReplaces()
    {
        await _store.PublishGenerationAsync("alice", 1, Now.AddMinutes(-1), default);

        // The cleanup deletes the expired row between the publication's read and its write.
        var cleanup = new BeforeUpdate(() => _table.DeleteEntityAsync("gen", "alice"));
        var racing = new RevocationStore(_azurite.CreateServiceClient(cleanup), Options.Create(_options));
        await racing.PublishGenerationAsync("alice", 2, Now.AddMinutes(20), default);

        Assert.True(cleanup.Ran);
        Assert.Equal(2, (await _store.LoadAsync(Now, default)).Generations["alice"]);
    }

    /// <summary>Runs an action once, just before the first conditional update (PUT or MERGE with If-Match) is sent.</summary>
    private sealed class BeforeUpdate(Func<Task> action) : Azure.Core.Pipeline.HttpPipelinePolicy
    {
        public bool Ran { get; private set; }

        public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            if (!Ran && message.Request.Headers.TryGetValue("If-Match", out _))
            {
                Ran = true;
                await action();
            }

            await ProcessNextAsync(message, pipeline);
        }
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
