using JwtFunctions.Hosting;
using JwtFunctions.SigningKeys;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Tests.SigningKeys;

public sealed class SigningKeyRingTests
{
    private static SigningKeyRing Ring(ISigningKeySource source, string algorithm = "HS256") =>
        new(source, Options.Create(new JwtOptions { Algorithm = algorithm }), TimeProvider.System, NullLogger<SigningKeyRing>.Instance);

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

        public string Name => "scripted";

        public Task<IReadOnlyList<SigningKeyVersion>> LoadAsync(CancellationToken cancellationToken) =>
            Fail ? Task.FromException<IReadOnlyList<SigningKeyVersion>>(new HttpRequestException("down")) : Task.FromResult(versions);
    }
}
