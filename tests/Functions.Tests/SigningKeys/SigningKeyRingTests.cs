using JwtFunctions.Hosting;
using JwtFunctions.SigningKeys;
using JwtFunctions.TestSupport;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Tests.SigningKeys;

public sealed class SigningKeyRingTests
{
    private static SigningKeyRing Ring(ISigningKeySource source, string algorithm = "HS256", TimeProvider? time = null) =>
        new(source, Options.Create(new JwtOptions { Algorithm = algorithm }), time ?? TimeProvider.System, NullLogger<SigningKeyRing>.Instance);

    [Theory]
    [InlineData(null)]
    [InlineData("c2hvcnQ=")]
    [InlineData("this is not base64")]
    [InlineData("@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/jwt-signing-key/)")]
    public async Task WeakMissingOrUnresolvedKeyLeavesTheRingEmpty(string? value)
    {
        var ring = Ring(new LocalSigningKeySource(value));

        Assert.True(await ring.RefreshAsync(default));

        Assert.Null(ring.Current);
        Assert.Equal(SigningKeyRingState.Invalid, ring.State);
    }

    [Fact]
    public async Task KeyLongEnoughForHs256IsTooShortForHs512()
    {
        var ring = Ring(new LocalSigningKeySource(TestKeys.NewBase64Key(32)), "HS512");
        await ring.RefreshAsync(default);
        Assert.Null(ring.Current);
    }

    [Fact]
    public async Task NewestVersionSignsAndEveryValidVersionValidates()
    {
        var source = new ScriptedSource([new("v3", TestKeys.NewBase64Key(), null, null), new("v2", TestKeys.NewBase64Key(), null, null), new("v1", TestKeys.NewBase64Key(), null, null)]);
        var ring = Ring(source);

        await ring.RefreshAsync(default);

        Assert.Equal("v3", ring.Current!.Current.KeyId);
        foreach (var kid in new[] { "v1", "v2", "v3" })
        {
            Assert.True(ring.Current.TryGetValidationKey(kid, DateTimeOffset.UtcNow, out _), kid);
        }

        Assert.False(ring.Current.TryGetValidationKey("v4", DateTimeOffset.UtcNow, out _));
    }

    [Fact]
    public async Task WeakNewestVersionFailsClosedInsteadOfFallingBackToAnOlderKey()
    {
        var ring = Ring(new ScriptedSource([new("v2", "c2hvcnQ=", null, null), new("v1", TestKeys.NewBase64Key(), null, null)]));

        await ring.RefreshAsync(default);

        Assert.Null(ring.Current);
        Assert.Equal(SigningKeyRingState.Invalid, ring.State);
    }

    [Fact]
    public async Task WeakOlderVersionIsSkippedWhileTheNewestServes()
    {
        var ring = Ring(new ScriptedSource([new("v2", TestKeys.NewBase64Key(), null, null), new("v1", "c2hvcnQ=", null, null)]));

        await ring.RefreshAsync(default);

        Assert.Equal(["v2"], ring.Current!.Keys.Select(k => k.KeyId));
    }

    [Fact]
    public async Task UnreachableSourceKeepsTheLastGoodKeysAndReportsDegraded()
    {
        var source = new ScriptedSource([new("v1", TestKeys.NewBase64Key(), null, null)]);
        var ring = Ring(source);
        await ring.RefreshAsync(default);
        var loaded = ring.Current;

        source.Fail = true;
        Assert.False(await ring.RefreshAsync(default));

        Assert.Same(loaded, ring.Current);
        Assert.Equal(SigningKeyRingState.Degraded, ring.State);

        source.Fail = false;
        Assert.True(await ring.RefreshAsync(default));
        Assert.Equal(SigningKeyRingState.Ready, ring.State);
    }

    [Fact]
    public async Task UnreachableSourceAtColdStartLeavesNothingToServeWith()
    {
        var ring = Ring(new ScriptedSource([]) { Fail = true });

        Assert.False(await ring.RefreshAsync(default));

        Assert.Null(ring.Current);
        Assert.Equal(SigningKeyRingState.Unavailable, ring.State);
        Assert.Null(await ring.GetAsync(TimeSpan.FromSeconds(1), default));
    }

    [Fact]
    public async Task RequestBeforeTheFirstLoadWaitsForIt()
    {
        var ring = Ring(new ScriptedSource([new("v1", TestKeys.NewBase64Key(), null, null)]));

        var waiting = ring.GetAsync(TimeSpan.FromSeconds(10), default).AsTask();
        Assert.False(waiting.IsCompleted);
        await ring.RefreshAsync(default);

        Assert.Equal("v1", (await waiting)!.Current.KeyId);
    }

    [Fact]
    public void ExpiredVersionIsNotAcceptedForValidation()
    {
        var set = new SigningKeySet([new SigningKey("v1", new byte[32], DateTimeOffset.UtcNow.AddMinutes(-1))], DateTimeOffset.UtcNow);
        Assert.False(set.TryGetValidationKey("v1", DateTimeOffset.UtcNow, out _));
    }

    [Fact]
    public async Task SigningVersionStopsSigningValidatingAndBeingPublishedTheInstantItExpiresWithoutAReload()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var expires = time.Now.AddMinutes(10);
        var source = new ScriptedSource([new("v2", TestKeys.NewBase64Key(), null, expires), new("v1", TestKeys.NewBase64Key(), null, null)]);
        var ring = Ring(source, time: time);
        await ring.RefreshAsync(default);
        Assert.Equal("v2", ring.Current!.Current.KeyId);

        time.Now = expires - TimeSpan.FromTicks(1);
        Assert.Equal("v2", ring.Current!.Current.KeyId);
        time.Now = expires;

        var keys = await ring.GetAsync(TimeSpan.Zero, default);
        Assert.Equal("v1", keys!.Current.KeyId);
        Assert.Equal(["v1"], keys.Keys.Select(k => k.KeyId));
        Assert.False(keys.TryGetValidationKey("v2", time.Now, out _));
        Assert.Equal(1, source.Loads);
    }

    [Fact]
    public async Task WhenTheOnlyVersionExpiresNothingIsSignedOrAcceptedUntilTheSourceHasAnother()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var expires = time.Now.AddMinutes(10);
        var source = new ScriptedSource([new("v1", TestKeys.NewBase64Key(), null, expires)]);
        var ring = Ring(source, time: time);
        await ring.RefreshAsync(default);

        time.Now = expires.AddSeconds(1);

        Assert.Null(ring.Current);
        Assert.Null(await ring.GetAsync(TimeSpan.Zero, default));
        Assert.Equal(1, source.Loads);
    }

    [Fact]
    public async Task ATokenIsNeverSignedWithAVersionThatExpiredAfterTheCallerGotTheKeys()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var expires = time.Now.AddMinutes(10);
        var ring = Ring(new ScriptedSource([new("v2", TestKeys.NewBase64Key(), null, expires), new("v1", TestKeys.NewBase64Key(), null, null)]), time: time);
        var tokens = new TokenService(ring, Options.Create(new JwtOptions()), time);
        await ring.RefreshAsync(default);
        time.Now = expires.AddSeconds(-1);
        var keys = await tokens.GetKeysAsync(default);

        // A password hash later, the version the caller was given has expired.
        time.Now = expires;
        var token = tokens.CreateAccessToken(keys!, "alice", "s");

        Assert.Equal("v1", new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token.Value).Kid);
    }

    [Fact]
    public async Task SigningWithTheLastVersionExpiredMeanwhileThrowsInsteadOfSigning()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var expires = time.Now.AddMinutes(10);
        var ring = Ring(new ScriptedSource([new("v1", TestKeys.NewBase64Key(), null, expires)]), time: time);
        var tokens = new TokenService(ring, Options.Create(new JwtOptions()), time);
        await ring.RefreshAsync(default);
        var keys = await tokens.GetKeysAsync(default);

        time.Now = expires;

        Assert.Throws<SigningKeyUnavailableException>(() => tokens.CreateAccessToken(keys!, "alice", "s"));
        Assert.Equal(SigningKeyRingState.Expired, ring.State);
    }

    [Theory]
    [InlineData(0, 300)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(8, 128)]
    [InlineData(9, 256)]
    [InlineData(10, 300)]
    [InlineData(100, 300)]
    public void RefreshBacksOffExponentiallyUpToTheInterval(int failures, int expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), PeriodicRefreshService.NextDelay(failures, TimeSpan.FromMinutes(5)));
    }

    private sealed class ScriptedSource(IReadOnlyList<SigningKeyVersion> versions) : ISigningKeySource
    {
        public bool Fail { get; set; }

        /// <summary>How many times the ring read this source.</summary>
        public int Loads { get; private set; }

        public string Name => "scripted";

        public Task<IReadOnlyList<SigningKeyVersion>> LoadAsync(CancellationToken cancellationToken)
        {
            Loads++;
            return Fail ? Task.FromException<IReadOnlyList<SigningKeyVersion>>(new HttpRequestException("down")) : Task.FromResult(versions);
        }
    }
}
