using System.Net;
using Azure.Data.Tables;
using JwtFunctions.Accounts;
using JwtFunctions.Cleanup;
using JwtFunctions.Revocation;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.TestSupport;

namespace JwtFunctions.Tests.Cleanup;

/// <summary>
/// The cleanup on Azurite, through the app's own registration: it deletes exactly the rows no
/// request can be answered differently for, keeps the rest, and is safe to run twice at once.
/// Defaults: clock skew 1 minute, access tokens 15 minutes, sessions 30 days, lock-out window 15 minutes.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CleanupServiceTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 16, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task ARunDeletesEveryDeadRowAndKeepsEveryLiveOne()
    {
        var time = new ManualTimeProvider(Now);
        await using var app = await TestServices.StartAsync(azurite, time: time);
        var revocations = app.Get<RevocationStore>();
        var refresh = app.Get<RefreshTokenStore>();
        var users = app.Get<UserStore>();

        // Deny list: in force until ExpiresAt (its exp plus the skew), inclusive.
        await revocations.AddRevokedTokenAsync("jti-dead", "alice", Now.AddSeconds(-1), default);
        await revocations.AddRevokedTokenAsync("jti-now", "alice", Now, default);
        await revocations.AddRevokedTokenAsync("jti-live", "alice", Now.AddMinutes(10), default);
        await revocations.AddRevokedSessionAsync("sid-dead", "alice", Now.AddHours(-3), default);
        await revocations.AddRevokedSessionAsync("sid-live", "alice", Now.AddMinutes(20), default);
        await revocations.PublishGenerationAsync("gen-dead", 2, Now.AddMinutes(-1), default);
        await revocations.PublishGenerationAsync("gen-live", 3, Now.AddMinutes(5), default);

        // Refresh tokens: dead once past exp plus the skew, spent or not; families once past
        // 30 days + 15 minutes + 2 minutes from their login.
        time.Now = Now.AddDays(-31);
        await refresh.CreateFamilyAsync("bob", "fam-dead", "t-dead-expired", Now.AddMinutes(-2), default);
        time.Now = Now.AddDays(-30).AddMinutes(-16);
        await refresh.CreateFamilyAsync("bob", "fam-ending", "t-in-skew", Now.AddSeconds(-30), default);
        time.Now = Now.AddDays(-1);
        await refresh.CreateFamilyAsync("bob", "fam-live", "t-spent-live", Now.AddDays(29), default);
        Assert.Equal(RotationResult.Rotated, await refresh.RotateAsync("bob", "fam-live", "t-spent-live", "t-active", Now.AddDays(29), TimeSpan.FromDays(30), default));
        time.Now = Now;

        // Lock-out rows: spent ones mean the same as no row.
        await SaveLockout(users, "spent", l => { l.Failures = 2; l.WindowStart = Now.AddMinutes(-16); l.LockedUntil = Now.AddMinutes(-30); });
        await SaveLockout(users, "locked", l => { l.LockedUntil = Now.AddSeconds(1); l.Lockouts = 1; l.LastLockedAt = Now.AddMinutes(-4); });
        await SaveLockout(users, "counting", l => { l.Failures = 1; l.WindowStart = Now.AddMinutes(-14); });
        await SaveLockout(users, "escalated", l => { l.Lockouts = 2; l.LastLockedAt = Now.AddHours(-23); l.LockedUntil = Now.AddHours(-22); });
        await SaveLockout(users, "in-flight", l => { l.InFlight = 1; l.InFlightSince = Now.AddSeconds(-10); });
        Assert.True(await users.TryCreateAsync(new UserEntity { PartitionKey = "spent", Username = "spent", PasswordHash = "h" }, default));

        // Throttle counters (window 1 minute): one whose window ended, one still counting.
        var throttle = app.Get<LoginThrottle>();
        time.Now = Now.AddMinutes(-2);
        Assert.Null(await throttle.TryAcquireAsync(IPAddress.Parse("192.0.2.1"), null, default));
        time.Now = Now.AddSeconds(-30);
        Assert.Null(await throttle.TryAcquireAsync(IPAddress.Parse("192.0.2.2"), null, default));
        time.Now = Now;
        var countersBefore = await KeysAsync(app.Settings["Storage:ThrottleTable"]!);

        var result = await app.Get<CleanupService>().RunAsync(default);

        Assert.Equal(new CleanupResult(RevokedIds: 2, Generations: 1, RefreshTokens: 1, Families: 1, Lockouts: 1, ThrottleCounters: 1, BudgetExhausted: false), result);
        Assert.Equal(2, countersBefore.Count);
        Assert.Equal([countersBefore.Single(key => key.Contains("192.0.2.2", StringComparison.Ordinal))], await KeysAsync(app.Settings["Storage:ThrottleTable"]!));
        Assert.Equal(
            ["exp:jti_jti-live", "exp:jti_jti-now", "exp:sid_sid-live", "gen:gen-live"],
            await KeysAsync(app.Settings["Storage:RevocationsTable"]!, bucketsAs: "exp"));
        Assert.Equal(
            ["bob:f_fam-ending", "bob:f_fam-live", "bob:t_t-active", "bob:t_t-in-skew", "bob:t_t-spent-live"],
            await KeysAsync(app.Settings["Storage:RefreshTokensTable"]!));
        Assert.Equal(
            ["counting:lockout", "escalated:lockout", "in-flight:lockout", "locked:lockout", "spent:user"],
            await KeysAsync(app.Settings["Storage:UsersTable"]!));

        // What is left still refuses what it refused before.
        var loaded = await revocations.LoadAsync(Now, default);
        Assert.Equal(["jti-live", "jti-now"], loaded.TokenIds.Order());
        Assert.Equal(["sid-live"], loaded.SessionIds);
        Assert.Equal(3, loaded.Generations["gen-live"]);
        Assert.Equal(RotationResult.Reused, await refresh.RotateAsync("bob", "fam-live", "t-spent-live", "t-other", Now.AddDays(29), TimeSpan.FromDays(30), default));
    }

    [Fact]
    public async Task TwoInstancesRunningAtOnceDeleteEachDeadRowOnceAndNeitherFails()
    {
        await using var first = await TestServices.StartAsync(azurite, time: new ManualTimeProvider(Now));
        await using var second = await TestServices.StartAsync(azurite, time: new ManualTimeProvider(Now), sameAs: first.Settings);
        var revocations = first.Get<RevocationStore>();
        await Task.WhenAll(Enumerable.Range(0, 300).Select(i =>
            revocations.AddRevokedTokenAsync("dead-" + i, "alice", Now.AddMinutes(-(i % 180) - 1), default)));
        await revocations.AddRevokedTokenAsync("live", "alice", Now.AddMinutes(1), default);

        var results = await Task.WhenAll(first.Get<CleanupService>().RunAsync(default), second.Get<CleanupService>().RunAsync(default));

        // Both runs finish; between them every dead row is gone and the live one stays. (A row both
        // runs deleted at the same moment may be counted by both: Azurite accepts a transaction
        // deleting a row the other run's transaction has just deleted.)
        Assert.All(results, r => Assert.InRange(r.RevokedIds, 0, 300));
        Assert.True(results.Sum(r => r.RevokedIds) >= 300);
        Assert.Equal(["exp:jti_live"], await KeysAsync(first.Settings["Storage:RevocationsTable"]!, bucketsAs: "exp"));
    }

    [Fact]
    public async Task ARunStopsAtItsBudgetAndTheNextRunGoesOn()
    {
        await using var seeded = await TestServices.StartAsync(azurite, time: new ManualTimeProvider(Now));
        var settings = new Dictionary<string, string?>(seeded.Settings) { ["Cleanup:MaxDeletesPerRun"] = "100" };
        await using var app = await TestServices.StartAsync(azurite, time: new ManualTimeProvider(Now), sameAs: settings);
        var revocations = app.Get<RevocationStore>();
        await Task.WhenAll(Enumerable.Range(0, 250).Select(i =>
            revocations.AddRevokedTokenAsync("dead-" + i, "alice", Now.AddMinutes(-(i % 120) - 1), default)));

        var cleanup = app.Get<CleanupService>();
        var runs = new[] { await cleanup.RunAsync(default), await cleanup.RunAsync(default), await cleanup.RunAsync(default) };

        Assert.Equal([100, 100, 50], runs.Select(r => r.RevokedIds));
        Assert.Equal([true, true, false], runs.Select(r => r.BudgetExhausted));
        Assert.Empty(await KeysAsync(app.Settings["Storage:RevocationsTable"]!));
    }

    private static async Task SaveLockout(UserStore users, string user, Action<LockoutEntity> set)
    {
        var lockout = new LockoutEntity { PartitionKey = user, WindowStart = Now.AddHours(-1) };
        set(lockout);
        Assert.True(await users.TrySaveLockoutAsync(lockout, default));
    }

    /// <summary>Every row of the table as <c>PartitionKey:RowKey</c>, sorted; expiry buckets named <paramref name="bucketsAs"/>.</summary>
    private async Task<List<string>> KeysAsync(string tableName, string? bucketsAs = null)
    {
        var table = azurite.CreateServiceClient().GetTableClient(tableName);
        var keys = new List<string>();
        await foreach (var row in table.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
        {
            var partition = bucketsAs is not null && row.PartitionKey.StartsWith(RevokedIdEntity.BucketPrefix, StringComparison.Ordinal) ? bucketsAs : row.PartitionKey;
            keys.Add($"{partition}:{row.RowKey}");
        }

        return keys.Order(StringComparer.Ordinal).ToList();
    }
}
