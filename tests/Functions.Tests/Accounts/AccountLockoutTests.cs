using System.Diagnostics.Metrics;
using JwtFunctions.Accounts;
using JwtFunctions.Tests.Infrastructure;

namespace JwtFunctions.Tests.Accounts;

[Collection(AzuriteCollection.Name)]
public sealed class AccountLockoutTests(AzuriteFixture azurite)
{
    private const string Password = "twelve-chars";
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);

    private async Task<TestServices> StartAsync()
    {
        var app = await TestServices.StartAsync(azurite, time: _time);
        await app.Accounts.RegisterAsync("alice", Password, default);
        return app;
    }

    private static async Task FailAsync(TestServices app, int times)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.Equal(GrantFailure.InvalidCredentials, (await app.Accounts.LoginAsync("alice", "wrong-password", default)).Failure);
        }
    }

    private static Task<LockoutEntity?> LockoutAsync(TestServices app) => app.Get<UserStore>().FindLockoutAsync("alice", default);

    [Fact]
    public async Task FifthFailureLocksTheAccountAgainstTheRightPasswordToo()
    {
        await using var app = await StartAsync();

        await FailAsync(app, 4);
        Assert.NotNull((await app.Accounts.LoginAsync("alice", Password, default)).Tokens); // 4 failures: still open, and the count resets
        await FailAsync(app, 5);

        Assert.Equal(GrantFailure.InvalidCredentials, (await app.Accounts.LoginAsync("alice", Password, default)).Failure);
        _time.Now += TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1);
        Assert.NotNull((await app.Accounts.LoginAsync("alice", Password, default)).Tokens);
    }

    [Fact]
    public async Task AttemptsDuringTheCoolDownAreNotCountedAndDoNotExtendIt()
    {
        await using var app = await StartAsync();
        await FailAsync(app, 5);
        var lockedUntil = (await LockoutAsync(app))!.LockedUntil;

        _time.Now += TimeSpan.FromMinutes(4);
        await FailAsync(app, 10);

        var lockout = (await LockoutAsync(app))!;
        Assert.Equal(lockedUntil, lockout.LockedUntil);
        Assert.Equal(1, lockout.Lockouts);
        Assert.Equal(0, lockout.Failures);
    }

    [Fact]
    public async Task FailuresOutsideTheWindowDoNotAddUp()
    {
        await using var app = await StartAsync();
        await FailAsync(app, 4);

        _time.Now += TimeSpan.FromMinutes(16);
        await FailAsync(app, 4);

        Assert.NotNull((await app.Accounts.LoginAsync("alice", Password, default)).Tokens);
    }

    [Fact]
    public async Task RepeatedLockoutsDoubleUpToTheCap()
    {
        await using var app = await StartAsync();
        var expected = new[] { 5, 10, 20, 40, 60, 60 };
        foreach (var minutes in expected)
        {
            await FailAsync(app, 5);
            var lockout = (await LockoutAsync(app))!;
            Assert.Equal(TimeSpan.FromMinutes(minutes), lockout.LockedUntil - _time.Now);
            _time.Now = lockout.LockedUntil!.Value + TimeSpan.FromSeconds(1);
        }

        // A day without lock-outs forgets the escalation.
        _time.Now += TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1);
        await FailAsync(app, 5);
        Assert.Equal(TimeSpan.FromMinutes(5), (await LockoutAsync(app))!.LockedUntil - _time.Now);
    }

    [Fact]
    public async Task ParallelFailuresBelowTheThresholdAreAllCounted()
    {
        await using var app = await StartAsync();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => app.Accounts.LoginAsync("alice", "wrong-password", default)));

        Assert.Equal(4, (await LockoutAsync(app))!.Failures);
    }

    [Fact]
    public async Task TwentyParallelWrongPasswordsLockExactlyOnce()
    {
        await using var app = await StartAsync();

        var grants = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => app.Accounts.LoginAsync("alice", "wrong-password", default)));

        Assert.All(grants, g => Assert.Equal(GrantFailure.InvalidCredentials, g.Failure));
        var lockout = (await LockoutAsync(app))!;
        Assert.Equal(1, lockout.Lockouts);
        Assert.Equal(0, lockout.Failures);
        Assert.Equal(TimeSpan.FromMinutes(5), lockout.LockedUntil - lockout.LastLockedAt);
        Assert.Equal(GrantFailure.InvalidCredentials, (await app.Accounts.LoginAsync("alice", Password, default)).Failure);
    }

    [Fact]
    public async Task WrongCurrentPasswordOnPasswordChangeCountsTowardsLockout()
    {
        await using var app = await StartAsync();
        var tokens = (await app.Accounts.LoginAsync("alice", Password, default)).Tokens!;
        var caller = (await app.Tokens.ValidateAsync(tokens.AccessToken, JwtFunctions.Tokens.TokenKind.Access, default)).Principal!;

        for (var i = 0; i < 5; i++)
        {
            await app.Accounts.ChangePasswordAsync(caller, "wrong-password", "a-new-password", default);
        }

        Assert.Equal(PasswordChangeResult.WrongPassword, await app.Accounts.ChangePasswordAsync(caller, Password, "a-new-password", default));
        Assert.Equal(GrantFailure.InvalidCredentials, (await app.Accounts.LoginAsync("alice", Password, default)).Failure);
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(4, 40)]
    [InlineData(5, 60)]
    [InlineData(30, 60)]
    public void LockoutDurationDoublesAndIsCapped(int lockouts, int minutes)
    {
        Assert.Equal(TimeSpan.FromMinutes(minutes), AccountLockout.Duration(lockouts, new AccountOptions()));
    }

    [Fact]
    public async Task ABurstOfFortyGuessesGetsAtMostTheThresholdOfWrongPasswordChecks()
    {
        await using var app = await TestServices.StartAsync(azurite);
        await app.Accounts.RegisterAsync("alice", Password, default);
        using var checks = PasswordChecks.Of(app);

        // 39 wrong passwords and the right one, in random order, all at once.
        var passwords = Enumerable.Range(0, 39).Select(i => $"wrong password {i}").Append(Password).OrderBy(_ => Random.Shared.Next()).ToList();
        var results = await Task.WhenAll(passwords.Select(password => Task.Run(() => app.Accounts.LoginAsync("alice", password, default))));

        var threshold = new AccountOptions().LockoutThreshold;
        Assert.InRange(checks.Failed, 1, threshold);
        // Either the wrong guesses reached the threshold, or the right password was checked in
        // time and cleared the count before they did.
        Assert.True(checks.Failed == threshold || checks.Matched == 1, $"failed {checks.Failed}, matched {checks.Matched}");
        Assert.InRange(checks.Matched, 0, 1);
        Assert.Equal(checks.Matched, results.Count(r => r.Tokens is not null));

        // Whoever reached the threshold locked the account: from then on every password is refused.
        var lockout = (await LockoutAsync(app))!;
        Assert.Equal(0, lockout.InFlight);
        if (checks.Failed == threshold)
        {
            Assert.True(lockout.LockedUntil > DateTimeOffset.UtcNow);
            Assert.Equal(GrantFailure.InvalidCredentials, (await app.Accounts.LoginAsync("alice", Password, default)).Failure);
        }
    }

    [Fact]
    public async Task ASuccessInsideABurstDoesNotGiveTheBurstAFreshBudget()
    {
        await using var app = await StartAsync();
        var lockout = app.Get<AccountLockout>();
        var threshold = new AccountOptions().LockoutThreshold;

        // One failure settled; then a wrong guess and the right password in flight together, and
        // the right one settles first.
        Assert.True(await lockout.TryReserveAsync("alice", default));
        await lockout.SettleAsync("alice", passwordMatched: false, default);
        Assert.True(await lockout.TryReserveAsync("alice", default));
        Assert.True(await lockout.TryReserveAsync("alice", default));
        Assert.True(await lockout.SettleAsync("alice", passwordMatched: true, default));
        await lockout.SettleAsync("alice", passwordMatched: false, default);

        // Whatever the burst still gets, its wrong checks in all stay within the threshold.
        var more = 0;
        while (await lockout.TryReserveAsync("alice", default))
        {
            more++;
            await lockout.SettleAsync("alice", passwordMatched: false, default);
        }

        Assert.Equal(threshold, 2 + more);
        Assert.True((await LockoutAsync(app))!.LockedUntil > _time.GetUtcNow());
    }

    /// <summary>Counts the password checks one app instance makes (its own IMeterFactory scope).</summary>
    private sealed class PasswordChecks : IDisposable
    {
        private readonly MeterListener _listener = new();
        private int _failed;
        private int _matched;

        private PasswordChecks(object scope)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == scope && instrument.Name == "jwtfunctions.password.checks")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "outcome")
                    {
                        Interlocked.Add(ref (string)tag.Value! == "failed" ? ref _failed : ref _matched, (int)value);
                    }
                }
            });
            _listener.Start();
        }

        public int Failed => Volatile.Read(ref _failed);

        public int Matched => Volatile.Read(ref _matched);

        public static PasswordChecks Of(TestServices app) => new(app.Get<IMeterFactory>());

        public void Dispose() => _listener.Dispose();
    }
}
