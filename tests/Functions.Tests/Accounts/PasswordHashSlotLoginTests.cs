using JwtFunctions.Accounts;
using JwtFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Tests.Accounts;

/// <summary>
/// Logins against Azurite: legacy PBKDF2 hashes move to Argon2id at their owner's next successful
/// login, and every refusal path needs a hashing slot (so it pays a full hash).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PasswordHashSlotLoginTests(AzuriteFixture azurite)
{
    private const string Password = "a legacy password";

    private static async Task CreateLegacyUserAsync(TestServices app, string user)
    {
        var legacy = new PasswordHasher(Options.Create(new AccountOptions { PasswordHashAlgorithm = PasswordHashAlgorithm.Pbkdf2 }));
        var created = await app.Get<UserStore>().TryCreateAsync(
            new UserEntity { PartitionKey = user, Username = user, PasswordHash = legacy.Hash(Password), CreatedAt = DateTimeOffset.UtcNow }, default);
        Assert.True(created);
    }

    [Fact]
    public async Task LegacyPbkdf2UserLogsInAndIsRehashedToArgon2id()
    {
        await using var app = await TestServices.StartAsync(azurite);
        await CreateLegacyUserAsync(app, "legacy");

        var grant = await app.Accounts.LoginAsync("legacy", Password, default);

        Assert.NotNull(grant.Tokens);
        var stored = (await app.Get<UserStore>().FindAsync("legacy", default))!.PasswordHash;
        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", stored);
        Assert.Equal(PasswordVerification.Succeeded, app.Get<PasswordHasher>().Verify(Password, stored));
        Assert.NotNull((await app.Accounts.LoginAsync("legacy", Password, default)).Tokens);
    }

    [Fact]
    public async Task WrongPasswordLeavesTheLegacyHashAsItWas()
    {
        await using var app = await TestServices.StartAsync(azurite);
        await CreateLegacyUserAsync(app, "legacy2");
        var before = (await app.Get<UserStore>().FindAsync("legacy2", default))!.PasswordHash;

        var grant = await app.Accounts.LoginAsync("legacy2", "not the password", default);

        Assert.Null(grant.Tokens);
        Assert.Equal(before, (await app.Get<UserStore>().FindAsync("legacy2", default))!.PasswordHash);
    }

    [Fact]
    public async Task RegistrationStoresArgon2idByDefault()
    {
        await using var app = await TestServices.StartAsync(azurite);

        Assert.Equal(RegistrationResult.Created, await app.Accounts.RegisterAsync("fresh", "twelve-chars", default));

        Assert.StartsWith("$argon2id$", (await app.Get<UserStore>().FindAsync("fresh", default))!.PasswordHash);
    }

    [Theory]
    [InlineData("nobody-here")]
    [InlineData("bad/name#")]
    public async Task UnknownOrMalformedUserNeedsAHashingSlotLikeAKnownOne(string username)
    {
        // Timers fire only when told, so the gate's queue timeout runs out only below.
        var timers = new ManualTimers();
        await using var app = await TestServices.StartAsync(azurite, time: timers);
        var gate = app.Get<PasswordHashGate>();
        var held = new List<PasswordHashGate.Slot>();
        for (var i = 0; i < gate.Limit; i++)
        {
            held.Add(await gate.EnterAsync(default));
        }

        var login = app.Accounts.LoginAsync(username, Password, default);
        while (!login.IsCompleted)
        {
            // The login reaches the gate after its storage reads; until then there is no timer to fire.
            timers.FireAll();
            await Task.Delay(1);
        }

        await Assert.ThrowsAsync<PasswordHashCapacityException>(() => login);
        held.ForEach(slot => slot.Dispose());
        Assert.Equal(gate.Limit, gate.Available);
    }
}
