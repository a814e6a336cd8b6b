using System.Diagnostics;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using JwtFunctions.Hosting;
using JwtFunctions.Revocation;
using JwtFunctions.TestSupport;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Benchmarks;

/// <summary>
/// One instance's revocation reload with a long history: <c>historical</c> expired deny-list rows
/// (spread over the last 30 days, as months of logouts leave them) and <c>live</c> ones (expiring
/// within the next 16 minutes), in two tables on one in-memory Azurite:
/// <list type="bullet">
/// <item>before: the layout and reader of f6b220e (<see cref="BaselineRevocationReader"/>, copied
/// verbatim: partitions <c>jti</c> and <c>sid</c>, every reload filters them whole);</item>
/// <item>after: the app's <see cref="RevocationStore"/> (hourly expiry buckets, the reload reads the
/// current and later ones).</item>
/// </list>
/// Reports per reload: the rows in the partitions it queries (what the table service scans), wall
/// time (median of 7 after one warm-up), HTTP requests, response bytes (what the instance reads off
/// the wire: the same in both, the service filters on ExpiresAt) and ids returned, which must be
/// the live ones in both.
/// </summary>
public static class RevocationReloadProof
{
    public static async Task<int> RunAsync(int historical, int live)
    {
        await using var azurite = await Azurite.StartAsync(AppFixture.RepositoryRoot, new TestLog());
        var counter = new CountingPolicy();
        var options = new TableClientOptions();
        options.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var service = new TableServiceClient(azurite.ConnectionString, options);
        var now = DateTimeOffset.UtcNow;

        var rows = Rows(historical, live, now);
        var before = service.GetTableClient("RevocationsBefore");
        var after = service.GetTableClient("RevocationsAfter");
        var seeding = Stopwatch.StartNew();
        await SeedAsync(before, rows.Select(r => new TableEntity(r.IsSession ? "sid" : "jti", r.Id) { ["Subject"] = "u", ["ExpiresAt"] = r.ExpiresAt }));
        await SeedAsync(after, rows.Select(r => new TableEntity(RevokedIdEntity.BucketFor(r.ExpiresAt), (r.IsSession ? RevokedIdEntity.SessionRowPrefix : RevokedIdEntity.TokenRowPrefix) + r.Id) { ["Subject"] = "u", ["ExpiresAt"] = r.ExpiresAt }));
        Console.WriteLine($"REVOCATION-RELOAD seeded {historical:N0} historical + {live:N0} live rows into each layout in {seeding.Elapsed.TotalSeconds:0} s");

        // What each reload's queries cover, so what the table service has to scan: whole
        // partitions before; the buckets from Now's hour on after (the ExpiresAt filter is applied
        // by the service in both, so both send only the live rows over the wire).
        var currentBucket = RevokedIdEntity.BucketFor(now);
        Console.WriteLine($"REVOCATION-RELOAD rows in the partitions a reload queries: before {rows.Count:N0}; "
            + $"after {rows.Count(r => string.CompareOrdinal(RevokedIdEntity.BucketFor(r.ExpiresAt), currentBucket) >= 0):N0}");

        var baseline = new BaselineRevocationReader(before);
        var store = new RevocationStore(service, Options.Create(new StorageOptions { RevocationsTable = after.Name }));
        var liveIds = rows.Where(r => r.ExpiresAt >= now).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var ok = true;
        foreach (var (name, load) in new (string, Func<Task<RevocationSet>>)[]
        {
            ("before (f6b220e layout and reader)", () => baseline.LoadAsync(now, CancellationToken.None)),
            ("after (expiry buckets)", () => store.LoadAsync(now, CancellationToken.None)),
        })
        {
            var set = await load();
            var times = new List<double>();
            long requests = 0, bytes = 0;
            for (var i = 0; i < 7; i++)
            {
                counter.Reset();
                var watch = Stopwatch.StartNew();
                set = await load();
                times.Add(watch.Elapsed.TotalMilliseconds);
                (requests, bytes) = (counter.Requests, counter.Bytes);
            }

            var returned = set.TokenIds.Count + set.SessionIds.Count;
            var correct = set.TokenIds.Concat(set.SessionIds).ToHashSet(StringComparer.Ordinal).SetEquals(liveIds);
            ok &= correct;
            times.Sort();
            Console.WriteLine($"REVOCATION-RELOAD {name}: median {times[times.Count / 2]:0.0} ms (min {times[0]:0.0}, max {times[^1]:0.0}); "
                + $"{requests} request(s), {bytes:N0} response bytes; {returned:N0} ids returned, {(correct ? "exactly the live ones" : "NOT the live ones")}");
        }

        Console.WriteLine(ok ? "REVOCATION-RELOAD PASS: both layouts return exactly the live entries" : "REVOCATION-RELOAD FAIL");
        return ok ? 0 : 1;
    }

    private sealed record Row(string Id, bool IsSession, DateTimeOffset ExpiresAt);

    private static List<Row> Rows(int historical, int live, DateTimeOffset now)
    {
        var random = new Random(12);
        var rows = new List<Row>(historical + live);
        for (var i = 0; i < historical; i++)
        {
            // Expired between 30 days and 1 minute ago; one in five an ended session.
            rows.Add(new Row(Guid.NewGuid().ToString("N"), i % 5 == 0, now - TimeSpan.FromMinutes(1 + random.NextDouble() * 30 * 24 * 60)));
        }

        for (var i = 0; i < live; i++)
        {
            // In force for up to one access-token lifetime plus skew.
            rows.Add(new Row(Guid.NewGuid().ToString("N"), i % 5 == 0, now + TimeSpan.FromMinutes(1 + random.NextDouble() * 15)));
        }

        return rows;
    }

    private static async Task SeedAsync(TableClient table, IEnumerable<TableEntity> entities)
    {
        await table.CreateIfNotExistsAsync();
        var batches = entities.GroupBy(e => e.PartitionKey).SelectMany(p => p.Chunk(100)).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (batch, cancellation) =>
            await table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), cancellation));
    }

    /// <summary>Requests sent and response body bytes received, over the table client's pipeline.</summary>
    private sealed class CountingPolicy : HttpPipelinePolicy
    {
        private long _requests;
        private long _bytes;

        public long Requests => Interlocked.Read(ref _requests);

        public long Bytes => Interlocked.Read(ref _bytes);

        public void Reset()
        {
            Interlocked.Exchange(ref _requests, 0);
            Interlocked.Exchange(ref _bytes, 0);
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            ProcessNext(message, pipeline);
            Count(message);
        }

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            Count(message);
        }

        private void Count(HttpMessage message)
        {
            Interlocked.Increment(ref _requests);
            // Responses are buffered by the pipeline, so the content stream is the whole body.
            Interlocked.Add(ref _bytes, message.Response.ContentStream?.Length ?? 0);
        }
    }
}

/// <summary>
/// The revocation reader of f6b220e (src/Functions/Revocation/RevocationStore.cs, LoadAsync and
/// LoadIdsAsync), copied verbatim apart from the table it is given: deny-list rows in partitions
/// <c>jti</c> and <c>sid</c> with the bare id as RowKey, each partition filtered on ExpiresAt.
/// </summary>
internal sealed class BaselineRevocationReader(TableClient table)
{
    private const string TokenPartition = "jti";
    private const string SessionPartition = "sid";

    public async Task<RevocationSet> LoadAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var revoked = await LoadIdsAsync(table, TokenPartition, now, cancellationToken).ConfigureAwait(false);
        var sessions = await LoadIdsAsync(table, SessionPartition, now, cancellationToken).ConfigureAwait(false);

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
