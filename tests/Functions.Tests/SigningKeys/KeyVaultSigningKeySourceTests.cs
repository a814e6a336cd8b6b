using JwtFunctions.Hosting;
using JwtFunctions.SigningKeys;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Tests.SigningKeys;

/// <summary>The real SecretClient, with the app's real credential chain, against the HTTPS vault stand-in.</summary>
[Collection(KeyVaultCollection.Name)]
public sealed class KeyVaultSigningKeySourceTests(TestKeyVault vault)
{
    private readonly string _secretName = "jwt-" + Guid.NewGuid().ToString("N")[..12];

    private KeyVaultSigningKeySource Source() =>
        new(KeyVaultSigningKeySource.CreateClient(vault.VaultUri, AzureCredentials.Create(null), vault.CreateTransport()), _secretName, TimeProvider.System);

    private SigningKeyRing Ring(KeyVaultSigningKeySource source) =>
        new(source, Options.Create(new JwtOptions()), TimeProvider.System, NullLogger<SigningKeyRing>.Instance);

    [Fact]
    public async Task LoadsTheSecretOverHttpsWithAManagedIdentityToken()
    {
        var version = vault.AddVersion(_secretName, TestKeys.NewBase64Key());
        var ring = Ring(Source());

        Assert.True(await ring.RefreshAsync(default));

        Assert.Equal(version, ring.Current!.Current.KeyId);
        Assert.True(vault.TokenRequests > 0, "the managed-identity endpoint was never asked for a token");

        // The client answers the vault's 401 challenge once per host:port and process, so whichever
        // test ran first, the vault has seen it.
        Assert.True(vault.UnauthenticatedRequests > 0, "the client never went through the bearer challenge");
        Assert.Equal(SigningKeyRingState.Ready, ring.State);
    }

    [Fact]
    public async Task RotationSignsWithTheNewVersionAndStillAcceptsTheOldOne()
    {
        var first = vault.AddVersion(_secretName, TestKeys.NewBase64Key());
        var source = Source();
        var ring = Ring(source);
        var tokens = new TokenService(ring, Options.Create(new JwtOptions()), TimeProvider.System);
        await ring.RefreshAsync(default);
        var oldToken = tokens.CreateAccessToken(ring.Current!, "alice", "s").Value;

        var second = vault.AddVersion(_secretName, TestKeys.NewBase64Key());
        await ring.RefreshAsync(default);
        var newToken = tokens.CreateAccessToken(ring.Current!, "alice", "s").Value;

        Assert.Equal(second, ring.Current!.Current.KeyId);
        Assert.True((await tokens.ValidateAsync(oldToken, TokenKind.Access, default)).Succeeded);
        Assert.True((await tokens.ValidateAsync(newToken, TokenKind.Access, default)).Succeeded);

        vault.Disable(_secretName, first);
        await ring.RefreshAsync(default);
        Assert.Equal(TokenFailure.UnknownKey, (await tokens.ValidateAsync(oldToken, TokenKind.Access, default)).Failure);
        Assert.True((await tokens.ValidateAsync(newToken, TokenKind.Access, default)).Succeeded);
    }

    [Fact]
    public async Task VersionsArePagedAndExpiredOrNotYetValidOnesLeftOut()
    {
        vault.AddVersion(_secretName, TestKeys.NewBase64Key());
        vault.AddVersion(_secretName, TestKeys.NewBase64Key(), expires: DateTimeOffset.UtcNow.AddMinutes(-1));
        vault.AddVersion(_secretName, TestKeys.NewBase64Key(), notBefore: DateTimeOffset.UtcNow.AddHours(1));
        var newest = vault.AddVersion(_secretName, TestKeys.NewBase64Key());
        vault.AddVersion(_secretName, TestKeys.NewBase64Key(), enabled: false);

        var versions = await Source().LoadAsync(default);

        Assert.Equal(2, versions.Count);
        Assert.Equal(newest, versions[0].KeyId);
    }

    [Fact]
    public async Task EachVersionValueIsFetchedOnceAcrossRefreshes()
    {
        vault.AddVersion(_secretName, TestKeys.NewBase64Key());
        vault.AddVersion(_secretName, TestKeys.NewBase64Key());
        var source = Source();
        await source.LoadAsync(default);
        var reads = vault.SecretValueReads;

        await source.LoadAsync(default);
        await source.LoadAsync(default);

        // Tests in one collection run one at a time, so nobody else read meanwhile.
        Assert.Equal(reads, vault.SecretValueReads);
    }

    [Fact]
    public async Task MissingSecretFailsClosed()
    {
        var ring = Ring(Source());

        Assert.True(await ring.RefreshAsync(default));

        Assert.Null(ring.Current);
        Assert.Equal(SigningKeyRingState.Invalid, ring.State);
    }

    [Fact]
    public async Task WeakSecretInTheVaultFailsClosed()
    {
        vault.AddVersion(_secretName, Convert.ToBase64String(new byte[16]));
        var ring = Ring(Source());

        await ring.RefreshAsync(default);

        Assert.Null(ring.Current);
    }
}

/// <summary>Outage and denial flip the shared vault's mode, so they must not run beside the tests above.</summary>
[Collection(KeyVaultCollection.Name)]
public sealed class KeyVaultOutageTests(TestKeyVault vault)
{
    [Fact]
    public async Task OutageAfterWarmUpKeepsServingCachedKeysThenRecovers()
    {
        var name = "jwt-" + Guid.NewGuid().ToString("N")[..12];
        var version = vault.AddVersion(name, TestKeys.NewBase64Key());
        var source = new KeyVaultSigningKeySource(KeyVaultSigningKeySource.CreateClient(vault.VaultUri, AzureCredentials.Create(null), vault.CreateTransport()), name, TimeProvider.System);
        var ring = new SigningKeyRing(source, Options.Create(new JwtOptions()), TimeProvider.System, NullLogger<SigningKeyRing>.Instance);
        await ring.RefreshAsync(default);

        // Unreachable, then refused: both keep the cached keys (a refusal for the grace period only).
        foreach (var (mode, state) in new[] { (VaultMode.Down, SigningKeyRingState.Degraded), (VaultMode.Forbidden, SigningKeyRingState.AccessDenied) })
        {
            vault.Mode = mode;
            try
            {
                Assert.False(await ring.RefreshAsync(default), mode.ToString());
            }
            finally
            {
                vault.Mode = VaultMode.Normal;
            }

            Assert.Equal(version, ring.Current!.Current.KeyId);
            Assert.Equal(state, ring.State);
        }

        Assert.True(await ring.RefreshAsync(default));
        Assert.Equal(SigningKeyRingState.Ready, ring.State);
    }

    [Fact]
    public async Task DeniedAtColdStartServesNothingAndRecoversWhenAccessIsGranted()
    {
        var name = "jwt-" + Guid.NewGuid().ToString("N")[..12];
        vault.AddVersion(name, TestKeys.NewBase64Key());
        var source = new KeyVaultSigningKeySource(KeyVaultSigningKeySource.CreateClient(vault.VaultUri, AzureCredentials.Create(null), vault.CreateTransport()), name, TimeProvider.System);
        var ring = new SigningKeyRing(source, Options.Create(new JwtOptions()), TimeProvider.System, NullLogger<SigningKeyRing>.Instance);

        vault.Mode = VaultMode.Forbidden;
        try
        {
            Assert.False(await ring.RefreshAsync(default));
        }
        finally
        {
            vault.Mode = VaultMode.Normal;
        }

        Assert.Null(ring.Current);
        Assert.Equal(SigningKeyRingState.AccessDenied, ring.State);

        Assert.True(await ring.RefreshAsync(default));
        Assert.NotNull(ring.Current);
    }
}
