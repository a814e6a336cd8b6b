using JwtFunctions.Accounts;
using JwtFunctions.Tests.Infrastructure;

namespace JwtFunctions.Tests.Accounts;

[Collection(AzuriteCollection.Name)]
public sealed class UserStoreTests
{
    private readonly AzuriteFixture _azurite;
    private readonly TestStorage _storage;
    private readonly UserStore _users;

    public UserStoreTests(AzuriteFixture azurite)
    {
        _azurite = azurite;
        _storage = new TestStorage(azurite);
        _users = _storage.Users();
    }

    [Fact]
    public async Task CreatedUserIsFoundByItsKey()
    {
        Assert.True(await _users.TryCreateAsync(new UserEntity { PartitionKey = "alice", Username = "Alice", PasswordHash = "h" }, default));

        var found = await _users.FindAsync("alice", default);

        Assert.Equal("Alice", found!.Username);
        Assert.Equal("h", found.PasswordHash);
    }

    [Fact]
    public async Task SecondUserWithTheSameNameIsRefusedAndTheFirstIsKept()
    {
        await _users.TryCreateAsync(new UserEntity { PartitionKey = "bob", PasswordHash = "first" }, default);

        Assert.False(await _users.TryCreateAsync(new UserEntity { PartitionKey = "bob", PasswordHash = "second" }, default));
        Assert.Equal("first", (await _users.FindAsync("bob", default))!.PasswordHash);
    }

    [Fact]
    public async Task ConcurrentRegistrationsOfOneNameLetExactlyOneWin()
    {
        var attempts = Enumerable.Range(0, 10).Select(i => _users.TryCreateAsync(new UserEntity { PartitionKey = "carol", PasswordHash = i.ToString() }, default));
        var results = await Task.WhenAll(attempts);
        Assert.Equal(1, results.Count(created => created));
    }

    [Fact]
    public async Task SavingALockoutRowDeletedSinceItWasReadIsALostRaceNotAnError()
    {
        Assert.True(await _users.TrySaveLockoutAsync(new LockoutEntity { PartitionKey = "dave", Failures = 1, WindowStart = DateTimeOffset.UtcNow }, default));
        var read = (await _users.FindLockoutAsync("dave", default))!;
        // What the cleanup does to a spent row, between this login's read and its write.
        var table = _azurite.CreateServiceClient().GetTableClient(_storage.Options.UsersTable);
        await table.DeleteEntityAsync("dave", LockoutEntity.Row, read.ETag);

        read.Failures = 2;
        Assert.False(await _users.TrySaveLockoutAsync(read, default));
        Assert.Null(await _users.FindLockoutAsync("dave", default));
    }

    [Fact]
    public async Task UnknownUserIsNull() => Assert.Null(await _users.FindAsync("nobody", default));

    [Fact]
    public async Task StaleRehashDoesNotOverwriteANewerHash()
    {
        await _users.TryCreateAsync(new UserEntity { PartitionKey = "dave", PasswordHash = "v1" }, default);
        var read = (await _users.FindAsync("dave", default))!;
        Assert.True(await _users.TryUpdatePasswordHashAsync(read, "v2", default));

        Assert.False(await _users.TryUpdatePasswordHashAsync(read, "stale", default));
        Assert.Equal("v2", (await _users.FindAsync("dave", default))!.PasswordHash);
    }
}
