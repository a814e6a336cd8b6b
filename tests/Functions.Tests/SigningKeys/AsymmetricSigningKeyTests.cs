using System.Security.Cryptography;
using JwtFunctions.SigningKeys;
using JwtFunctions.TestSupport;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Tests.SigningKeys;

/// <summary>ES256 / RS256 keys: PEM PKCS#8 parsing, fail-closed refusals, RFC 7638 kids, activation delay.</summary>
public sealed class AsymmetricSigningKeyTests
{
    private static SigningKeyRing Ring(ISigningKeySource source, string algorithm, TimeProvider? time = null, TimeSpan activationDelay = default) =>
        new(source, Options.Create(new JwtOptions { Algorithm = algorithm, Issuer = "https://issuer.example/api" }),
            Options.Create(new SigningKeyOptions { ActivationDelay = activationDelay }), time ?? TimeProvider.System, NullLogger<SigningKeyRing>.Instance);

    [Fact]
    public void RsaThumbprintIsTheOneRfc7638Section31Computes()
    {
        // RFC 7638 §3.1: the example RSA key and its SHA-256 thumbprint.
        const string n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        const string e = "AQAB";

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", PublicJsonWebKey.RsaThumbprint(n, e));
    }

    [Fact]
    public void Es256KeyIdIsTheRfc7638ThumbprintOfItsPublicKey()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var key = SigningKey.FromEcdsa(ecdsa, "version-1");

        Assert.Equal(TokenForge.EcThumbprint(ecdsa), key.KeyId);
        Assert.Equal("version-1", key.VersionId);
        Assert.Equal("EC", key.PublicKey!.Kty);
        Assert.Equal("P-256", key.PublicKey.Crv);
    }

    [Fact]
    public async Task TheSameKeyGetsTheSameKidInEveryRingSoRestartsAndInstancesAgree()
    {
        var pem = TokenForge.NewEs256Pem();
        var first = Ring(new LocalSigningKeySource(pem), "ES256");
        var second = Ring(new LocalSigningKeySource(pem), "ES256");

        await first.RefreshAsync(default);
        await second.RefreshAsync(default);

        Assert.Equal(first.Current!.Current.KeyId, second.Current!.Current.KeyId);
        Assert.NotEqual(LocalSigningKeySource.KeyId, first.Current.Current.KeyId);
    }

    public static TheoryData<string, string, SigningKeyProblem> Refusals()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa1024 = RSA.Create(1024);
        return new()
        {
            { "ES256", "", SigningKeyProblem.Missing },
            { "ES256", "@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/jwt-signing-key/)", SigningKeyProblem.UnresolvedReference },
            { "ES256", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), SigningKeyProblem.NotPrivateKeyPem },
            { "ES256", p256.ExportSubjectPublicKeyInfoPem(), SigningKeyProblem.NotPrivateKeyPem },
            { "ES256", p256.ExportECPrivateKeyPem(), SigningKeyProblem.NotPrivateKeyPem },
            { "ES256", "-----BEGIN PRIVATE KEY-----\nAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----", SigningKeyProblem.NotPrivateKeyPem },
            { "ES256", p256.ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)), SigningKeyProblem.NotPrivateKeyPem },
            { "ES256", p384.ExportPkcs8PrivateKeyPem(), SigningKeyProblem.WrongKeyType },
            { "ES256", TokenForge.NewRsaPem(), SigningKeyProblem.WrongKeyType },
            { "RS256", TokenForge.NewEs256Pem(), SigningKeyProblem.WrongKeyType },
            { "RS256", rsa1024.ExportPkcs8PrivateKeyPem(), SigningKeyProblem.KeyTooSmall },
            { "RS256", Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)), SigningKeyProblem.NotPrivateKeyPem },
        };
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task AMissingMalformedWrongTypeOrTooSmallKeyLeavesTheRingEmpty(string algorithm, string value, SigningKeyProblem expected)
    {
        Assert.Equal(expected, SigningKeyParser.TryParsePrivateKey(value, algorithm, out var key));
        Assert.Null(key);

        var log = new ListLogger();
        var ring = new SigningKeyRing(new LocalSigningKeySource(value), Options.Create(new JwtOptions { Algorithm = algorithm, Issuer = "https://issuer.example/api" }),
            Options.Create(new SigningKeyOptions()), TimeProvider.System, log);
        await ring.RefreshAsync(default);

        Assert.Null(ring.Current);
        Assert.Equal(SigningKeyRingState.Invalid, ring.State);
        if (value.Length > 40)
        {
            // Never logged: not the PEM, not any 40-character piece of it.
            Assert.DoesNotContain(log.Lines, line => line.Contains(value[^40..].Trim(), StringComparison.Ordinal) || line.Contains(value[..40], StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("RS256")]
    public void AGoodKeyOfTheConfiguredTypeParses(string algorithm)
    {
        var pem = algorithm == "ES256" ? TokenForge.NewEs256Pem() : TokenForge.NewRsaPem();

        Assert.Equal(SigningKeyProblem.None, SigningKeyParser.TryParsePrivateKey(pem, algorithm, out var key));
        Assert.NotNull(key);

        // Environment variables and JSON sometimes carry the PEM's line breaks as a literal \n.
        Assert.Equal(SigningKeyProblem.None, SigningKeyParser.TryParsePrivateKey(pem.Replace("\n", "\\n", StringComparison.Ordinal), algorithm, out _));
    }

    [Fact]
    public async Task NewestVersionSignsEveryVersionValidatesAndTheBadNewestFailsClosed()
    {
        var versions = new List<SigningKeyVersion>
        {
            new("v2", TokenForge.NewEs256Pem(), DateTimeOffset.UtcNow, null),
            new("v1", TokenForge.NewEs256Pem(), DateTimeOffset.UtcNow.AddDays(-1), null),
        };
        var source = new ListSource(versions);
        var ring = Ring(source, "ES256");

        await ring.RefreshAsync(default);
        var keys = ring.Current!;
        Assert.Equal("v2", keys.Current.VersionId);
        Assert.Equal(2, keys.Keys.Count);
        Assert.All(keys.Keys, k => Assert.True(keys.TryGetValidationKey(k.KeyId, DateTimeOffset.UtcNow, out _)));

        versions.Insert(0, new("v3", TokenForge.NewRsaPem(), DateTimeOffset.UtcNow, null));
        await ring.RefreshAsync(default);
        Assert.Null(ring.Current);
    }

    [Fact]
    public async Task ARefreshReusesTheKeyObjectsInsteadOfImportingAgain()
    {
        var ring = Ring(new ListSource([new("v1", TokenForge.NewEs256Pem(), null, null)]), "ES256");
        await ring.RefreshAsync(default);
        var before = ring.Current!.Current;

        await ring.RefreshAsync(default);

        Assert.Same(before, ring.Current!.Current);
    }

    [Fact]
    public async Task ANewVersionIsPublishedAtOnceButSignsOnlyAfterTheActivationDelay()
    {
        var time = new ManualTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var versions = new List<SigningKeyVersion> { new("old", TokenForge.NewEs256Pem(), time.Now.AddDays(-30), null) };
        var ring = Ring(new ListSource(versions), "ES256", time, TimeSpan.FromMinutes(15));
        await ring.RefreshAsync(default);
        var old = ring.Current!.Current;

        versions.Insert(0, new("new", TokenForge.NewEs256Pem(), time.Now, null));
        await ring.RefreshAsync(default);
        Assert.Equal("old", ring.Current!.Current.VersionId);
        Assert.Contains(ring.Current.Keys, k => k.VersionId == "new");

        time.Now += TimeSpan.FromMinutes(15);
        await ring.RefreshAsync(default);
        Assert.Equal("new", ring.Current!.Current.VersionId);
        Assert.True(ring.Current.TryGetValidationKey(old.KeyId, time.Now, out _));
    }

    [Fact]
    public async Task TheFirstKeySignsAtOnceEvenWithAnActivationDelay()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var ring = Ring(new ListSource([new("first", TokenForge.NewEs256Pem(), time.Now, null)]), "ES256", time, TimeSpan.FromMinutes(15));

        await ring.RefreshAsync(default);

        Assert.Equal("first", ring.Current!.Current.VersionId);
    }

    private sealed class ListSource(List<SigningKeyVersion> versions) : ISigningKeySource
    {
        public string Name => "list";

        public Task<IReadOnlyList<SigningKeyVersion>> LoadAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<SigningKeyVersion>>([.. versions]);
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger<SigningKeyRing>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
