using Azure.Core;
using Azure.Core.Pipeline;
using JwtFunctions.Accounts;
using JwtFunctions.Revocation;
using JwtFunctions.Tests.Infrastructure;

namespace JwtFunctions.Tests.Accounts;

[Collection(AzuriteCollection.Name)]
public sealed class RefreshTokenStoreTests
{
    private static readonly DateTimeOffset Expiry = DateTimeOffset.UtcNow.AddDays(30);
    private static readonly TimeSpan MaxSession = TimeSpan.FromDays(30);
    private readonly AzuriteFixture _azurite;
    private readonly TestStorage _storage;
    private readonly RefreshTokenStore _store;

    public RefreshTokenStoreTests(AzuriteFixture azurite)
    {
        _azurite = azurite;
        _storage = new TestStorage(azurite);
        _store = _storage.RefreshTokens();
    }

    [Fact]
    public async Task RotationSpendsTheTokenAndRecordsItsSuccessor()
    {
        await _store.CreateFamilyAsync("alice", "fam", "t1", Expiry, default);

        Assert.Equal(RotationResult.Rotated, await _store.RotateAsync("alice", "fam", "t1", "t2", Expiry, MaxSession, default));

        var spent = (await _store.FindTokenAsync("alice", "t1", default))!;
        Assert.Equal(RefreshTokenStates.Spent, spent.State);
        Assert.Equal("t2", spent.Successor);
        Assert.Equal(RefreshTokenStates.Active, (await _store.FindTokenAsync("alice", "t2", default))!.State);
        Assert.Equal("fam", (await _store.FindTokenAsync("alice", "t2", default))!.FamilyId);
    }

    [Fact]
    public async Task ReusingASpentTokenRevokesTheWholeFamily()
    {
        await _store.CreateFamilyAsync("alice", "fam", "t1", Expiry, default);
        await _store.RotateAsync("alice", "fam", "t1", "t2", Expiry, MaxSession, default);

        Assert.Equal(RotationResult.Reused, await _store.RotateAsync("alice", "fam", "t1", "t3", Expiry, MaxSession, default));

        var family = (await _store.FindFamilyAsync("alice", "fam", default))!;
        Assert.True(family.Revoked);
        Assert.Equal(RevocationReasons.Reuse, family.RevokedReason);
        Assert.Equal(RotationResult.FamilyRevoked, await _store.RotateAsync("alice", "fam", "t2", "t4", Expiry, MaxSession, default));
        Assert.Null(await _store.FindTokenAsync("alice", "t3", default));
    }

    [Fact]
    public async Task ConcurrentRotationsOfOneTokenLetOneSucceedAndCountAsReuse()
    {
        await _store.CreateFamilyAsync("bob", "fam", "t1", Expiry, default);

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => _store.RotateAsync("bob", "fam", "t1", "next" + i, Expiry, MaxSession, default)));

        Assert.Equal(1, results.Count(r => r == RotationResult.Rotated));
        var spent = (await _store.FindTokenAsync("bob", "t1", default))!;
        var winner = Array.IndexOf(results, RotationResult.Rotated);
        Assert.Equal("next" + winner, spent.Successor);
        for (var i = 0; i < results.Length; i++)
        {
            // The losers left nothing behind: no second live successor exists.
            Assert.Equal(i == winner, await _store.FindTokenAsync("bob", "next" + i, default) is not null);
        }

        // Two uses of one token at once (RFC 9700 §4.14.2): every loser saw reuse or the family
        // already revoked for it, and the family, the winner's successor included, is over.
        Assert.All(results.Where(r => r != RotationResult.Rotated), r => Assert.Contains(r, new[] { RotationResult.Reused, RotationResult.FamilyRevoked }));
        var family = (await _store.FindFamilyAsync("bob", "fam", default))!;
        Assert.True(family.Revoked);
        Assert.Equal(RevocationReasons.Reuse, family.RevokedReason);
        Assert.Equal(RotationResult.FamilyRevoked, await _store.RotateAsync("bob", "fam", "next" + winner, "after", Expiry, MaxSession, default));
    }

    [Fact]
    public async Task ARefreshRacingALogoutIssuesNothing()
    {
        await _store.CreateFamilyAsync("gina", "fam", "t1", Expiry, default);

        // The logout lands after the refresh has read the family and token, just before its
        // transaction is sent.
        var logout = new BeforeBatch(() => _store.RevokeFamilyAsync("gina", "fam", RevocationReasons.Logout, default));
        var racing = _storage.RefreshTokens(policy: logout);

        Assert.Equal(RotationResult.FamilyRevoked, await racing.RotateAsync("gina", "fam", "t1", "t2", Expiry, MaxSession, default));
        Assert.True(logout.Ran);
        Assert.Null(await _store.FindTokenAsync("gina", "t2", default));
        Assert.Equal(RefreshTokenStates.Active, (await _store.FindTokenAsync("gina", "t1", default))!.State);
    }

    [Fact]
    public async Task ASecondUseCommittedWhileTheFirstIsBeingWrittenIsReuse()
    {
        await _store.CreateFamilyAsync("ivy", "fam", "t1", Expiry, default);

        // Both uses read the token while it was active; the other one commits first.
        var other = new BeforeBatch(async () => Assert.Equal(RotationResult.Rotated, await _store.RotateAsync("ivy", "fam", "t1", "other", Expiry, MaxSession, default)));
        var racing = _storage.RefreshTokens(policy: other);

        Assert.Equal(RotationResult.Reused, await racing.RotateAsync("ivy", "fam", "t1", "mine", Expiry, MaxSession, default));
        Assert.True(other.Ran);
        var family = (await _store.FindFamilyAsync("ivy", "fam", default))!;
        Assert.True(family.Revoked);
        Assert.Equal(RevocationReasons.Reuse, family.RevokedReason);
        Assert.Null(await _store.FindTokenAsync("ivy", "mine", default));
        Assert.Equal(RotationResult.FamilyRevoked, await _store.RotateAsync("ivy", "fam", "other", "after", Expiry, MaxSession, default));
    }

    [Fact]
    public async Task ATokenDeletedByTheCleanupWhileItsRefreshIsBeingWrittenIssuesNothing()
    {
        await _store.CreateFamilyAsync("jack", "fam", "t1", Expiry, default);

        // The token's last valid instant passes between the refresh's read and its transaction,
        // and the cleanup deletes the row.
        var table = _azurite.CreateServiceClient().GetTableClient(_storage.Options.RefreshTokensTable);
        var cleanup = new BeforeBatch(async () => await table.DeleteEntityAsync("jack", RefreshTokenEntity.RowKeyFor("t1")));
        var racing = _storage.RefreshTokens(policy: cleanup);

        Assert.Equal(RotationResult.LostRace, await racing.RotateAsync("jack", "fam", "t1", "t2", Expiry, MaxSession, default));
        Assert.True(cleanup.Ran);
        Assert.Null(await _store.FindTokenAsync("jack", "t2", default));
    }

    [Fact]
    public async Task LoggingOutEverywhereSkipsASessionTheCleanupDeletedMeanwhile()
    {
        await _store.CreateFamilyAsync("kate", "old", "t1", Expiry, default);
        await _store.CreateFamilyAsync("kate", "new", "t2", Expiry, default);

        // The old session is past its absolute lifetime; the cleanup deletes its family between
        // the query that found it and the revocation's transaction.
        var table = _azurite.CreateServiceClient().GetTableClient(_storage.Options.RefreshTokensTable);
        var cleanup = new BeforeBatch(async () => await table.DeleteEntityAsync("kate", RefreshFamilyEntity.RowKeyFor("old")));
        var racing = _storage.RefreshTokens(policy: cleanup);

        Assert.Equal(1, await racing.RevokeAllAsync("kate", RevocationReasons.LogoutEverywhere, default));
        Assert.True(cleanup.Ran);
        Assert.True((await _store.FindFamilyAsync("kate", "new", default))!.Revoked);
        Assert.Null(await _store.FindFamilyAsync("kate", "old", default));
    }

    [Fact]
    public async Task ASessionCannotBeRefreshedPastItsAbsoluteLifetime()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var store = _storage.RefreshTokens(clock);
        await store.CreateFamilyAsync("hank", "fam", "t1", Expiry, default);

        // Refreshing keeps the session going up to its absolute lifetime from the login...
        clock.Now += TimeSpan.FromHours(23);
        Assert.Equal(RotationResult.Rotated, await store.RotateAsync("hank", "fam", "t1", "t2", Expiry, TimeSpan.FromDays(1), default));

        // ...and not past it, however recent the last refresh.
        clock.Now += TimeSpan.FromHours(1);
        Assert.Equal(RotationResult.SessionExpired, await store.RotateAsync("hank", "fam", "t2", "t3", Expiry, TimeSpan.FromDays(1), default));
        var family = (await store.FindFamilyAsync("hank", "fam", default))!;
        Assert.True(family.Revoked);
        Assert.Equal(RevocationReasons.SessionExpired, family.RevokedReason);
        Assert.Null(await store.FindTokenAsync("hank", "t3", default));
    }

    /// <summary>Runs an action once, just before the first entity-group transaction is sent.</summary>
    private sealed class BeforeBatch(Func<Task> action) : HttpPipelinePolicy
    {
        public bool Ran { get; private set; }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (!Ran && message.Request.Uri.Path.EndsWith("/$batch", StringComparison.Ordinal))
            {
                Ran = true;
                await action();
            }

            await ProcessNextAsync(message, pipeline);
        }
    }

    [Fact]
    public async Task TokenOfAnotherFamilyOrUserIsNotFound()
    {
        await _store.CreateFamilyAsync("carol", "fam", "t1", Expiry, default);

        Assert.Equal(RotationResult.NotFound, await _store.RotateAsync("carol", "other", "t1", "t2", Expiry, MaxSession, default));
        Assert.Equal(RotationResult.NotFound, await _store.RotateAsync("mallory", "fam", "t1", "t2", Expiry, MaxSession, default));
        Assert.Equal(RotationResult.NotFound, await _store.RotateAsync("carol", "fam", "nope", "t2", Expiry, MaxSession, default));
    }

    [Fact]
    public async Task LogoutEverywhereRevokesEveryFamilyOfTheUserOnly()
    {
        for (var i = 0; i < 3; i++)
        {
            await _store.CreateFamilyAsync("dave", "fam" + i, "t" + i, Expiry, default);
        }

        await _store.CreateFamilyAsync("erin", "fam0", "e0", Expiry, default);

        Assert.Equal(3, await _store.RevokeAllAsync("dave", RevocationReasons.LogoutEverywhere, default));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(RotationResult.FamilyRevoked, await _store.RotateAsync("dave", "fam" + i, "t" + i, "n" + i, Expiry, MaxSession, default));
        }

        Assert.Equal(RotationResult.Rotated, await _store.RotateAsync("erin", "fam0", "e0", "e1", Expiry, MaxSession, default));
    }

    [Fact]
    public async Task UserNameWithFilterSyntaxCannotReachOtherPartitions()
    {
        await _store.CreateFamilyAsync("frank", "fam", "t1", Expiry, default);

        // Never a valid username, but the store must still treat it as a literal value.
        Assert.Equal(0, await _store.RevokeAllAsync("x' or PartitionKey ne 'x", RevocationReasons.LogoutEverywhere, default));
        Assert.False((await _store.FindFamilyAsync("frank", "fam", default))!.Revoked);
    }

    [Fact]
    public async Task RevokingAnUnknownFamilyIsHarmless()
    {
        await _store.RevokeFamilyAsync("nobody", "nofamily", RevocationReasons.Logout, default);
        Assert.Null(await _store.FindFamilyAsync("nobody", "nofamily", default));
    }
}
