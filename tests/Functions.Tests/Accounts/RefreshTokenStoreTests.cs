using JwtFunctions.Accounts;
using JwtFunctions.Revocation;
using JwtFunctions.Tests.Infrastructure;

namespace JwtFunctions.Tests.Accounts;

[Collection(AzuriteCollection.Name)]
public sealed class RefreshTokenStoreTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Expiry = DateTimeOffset.UtcNow.AddDays(30);
    private readonly RefreshTokenStore _store = new TestStorage(azurite).RefreshTokens();

    [Fact]
    public async Task RotationSpendsTheTokenAndRecordsItsSuccessor()
    {
        await _store.CreateFamilyAsync("alice", "fam", "t1", Expiry, default);

        Assert.Equal(RotationResult.Rotated, await _store.RotateAsync("alice", "fam", "t1", "t2", Expiry, default));

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
        await _store.RotateAsync("alice", "fam", "t1", "t2", Expiry, default);

        Assert.Equal(RotationResult.Reused, await _store.RotateAsync("alice", "fam", "t1", "t3", Expiry, default));

        var family = (await _store.FindFamilyAsync("alice", "fam", default))!;
        Assert.True(family.Revoked);
        Assert.Equal(RevocationReasons.Reuse, family.RevokedReason);
        Assert.Equal(RotationResult.FamilyRevoked, await _store.RotateAsync("alice", "fam", "t2", "t4", Expiry, default));
        Assert.Null(await _store.FindTokenAsync("alice", "t3", default));
    }

    [Fact]
    public async Task ConcurrentRotationsOfOneTokenLetExactlyOneSucceed()
    {
        await _store.CreateFamilyAsync("bob", "fam", "t1", Expiry, default);

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => _store.RotateAsync("bob", "fam", "t1", "next" + i, Expiry, default)));

        Assert.Equal(1, results.Count(r => r == RotationResult.Rotated));
        var spent = (await _store.FindTokenAsync("bob", "t1", default))!;
        var winner = Array.IndexOf(results, RotationResult.Rotated);
        Assert.Equal("next" + winner, spent.Successor);
        for (var i = 0; i < results.Length; i++)
        {
            // The losers left nothing behind: no second live successor exists.
            Assert.Equal(i == winner, await _store.FindTokenAsync("bob", "next" + i, default) is not null);
        }
    }

    [Fact]
    public async Task TokenOfAnotherFamilyOrUserIsNotFound()
    {
        await _store.CreateFamilyAsync("carol", "fam", "t1", Expiry, default);

        Assert.Equal(RotationResult.NotFound, await _store.RotateAsync("carol", "other", "t1", "t2", Expiry, default));
        Assert.Equal(RotationResult.NotFound, await _store.RotateAsync("mallory", "fam", "t1", "t2", Expiry, default));
        Assert.Equal(RotationResult.NotFound, await _store.RotateAsync("carol", "fam", "nope", "t2", Expiry, default));
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
            Assert.Equal(RotationResult.FamilyRevoked, await _store.RotateAsync("dave", "fam" + i, "t" + i, "n" + i, Expiry, default));
        }

        Assert.Equal(RotationResult.Rotated, await _store.RotateAsync("erin", "fam0", "e0", "e1", Expiry, default));
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
