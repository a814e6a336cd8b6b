using System.Security.Cryptography;
using System.Text;
using JwtFunctions.Endpoints;
using JwtFunctions.SigningKeys;
using JwtFunctions.TestSupport;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.Tests.Tokens;

/// <summary>ES256 and RS256 through the project's token service: round trip, alg pinning, the JWKS.</summary>
public sealed class AsymmetricTokenServiceTests
{
    private const string Issuer = "https://issuer.example/api";

    private static JwtOptions OptionsFor(string algorithm) => new() { Algorithm = algorithm, Issuer = Issuer };

    private static async Task<(TokenService Service, SigningKeySet Keys)> ServiceAsync(string algorithm, string pem)
    {
        var options = OptionsFor(algorithm);
        var ring = new SigningKeyRing(new LocalSigningKeySource(pem), Options.Create(options), TimeProvider.System, NullLogger<SigningKeyRing>.Instance);
        await ring.RefreshAsync(default);
        var service = new TokenService(ring, Options.Create(options), TimeProvider.System);
        return (service, (await service.GetKeysAsync(default))!);
    }

    private static Dictionary<string, object?> VictimClaims()
    {
        var claims = TokenForge.Claims();
        claims["iss"] = Issuer;
        return claims;
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("RS256")]
    public async Task ATokenSignedWithTheConfiguredAlgorithmRoundTripsAndNamesItsThumbprintKid(string algorithm)
    {
        var (service, keys) = await ServiceAsync(algorithm, algorithm == "ES256" ? TokenForge.NewEs256Pem() : TokenForge.NewRsaPem());

        var issued = service.CreateAccessToken(keys, "alice", "s1");
        var header = TokenForge.DecodeHeader(issued.Value);
        var result = await service.ValidateAsync(issued.Value, TokenKind.Access, default);

        Assert.True(result.Succeeded, result.Failure.ToString());
        Assert.Equal(algorithm, header.GetProperty("alg").GetString());
        Assert.Equal("at+jwt", header.GetProperty("typ").GetString());
        Assert.Equal(keys.Current.KeyId, header.GetProperty("kid").GetString());
        Assert.Equal(keys.Current.PublicKey!.Kid, keys.Current.KeyId);
    }

    [Fact]
    public async Task AnEs256TokenVerifiesWithNothingButThePublishedJwk()
    {
        var (service, keys) = await ServiceAsync("ES256", TokenForge.NewEs256Pem());
        var token = service.CreateAccessToken(keys, "alice", "s1").Value;
        var jwk = keys.Current.PublicKey!;

        using var publicKey = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.X), Y = Base64UrlEncoder.DecodeBytes(jwk.Y) },
        });
        var parts = token.Split('.');

        Assert.True(publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64UrlEncoder.DecodeBytes(parts[2]), HashAlgorithmName.SHA256));
    }

    [Fact]
    public async Task Hs256SignedWithThePublicKeyAsSecretIsRefused()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (service, keys) = await ServiceAsync("ES256", ecdsa.ExportPkcs8PrivateKeyPem());
        var claims = VictimClaims();

        // The algorithm-confusion attack (RFC 8725 §2.1): each form an attacker could take of the public key as the HMAC secret.
        foreach (var secret in new[] { Encoding.ASCII.GetBytes(ecdsa.ExportSubjectPublicKeyInfoPem()), ecdsa.ExportSubjectPublicKeyInfo(), Encoding.UTF8.GetBytes(keys.Current.PublicKey!.X + keys.Current.PublicKey.Y) })
        {
            var token = TokenForge.SignWithHmacSha256(TokenForge.Header(kid: keys.Current.KeyId, alg: "HS256"), claims, secret);
            Assert.Equal(TokenFailure.InvalidAlgorithm, (await service.ValidateAsync(token, TokenKind.Access, default)).Failure);
        }
    }

    [Fact]
    public async Task AlgNoneEs384AnotherKeyAndAnUnknownKidAreRefused()
    {
        using var ours = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var (service, keys) = await ServiceAsync("ES256", ours.ExportPkcs8PrivateKeyPem());
        var kid = keys.Current.KeyId;

        async Task<TokenFailure> Check(string token) => (await service.ValidateAsync(token, TokenKind.Access, default)).Failure;

        Assert.Equal(TokenFailure.InvalidAlgorithm, await Check(TokenForge.Unsigned(TokenForge.Header(kid: kid, alg: "none"), VictimClaims())));
        Assert.Equal(TokenFailure.InvalidAlgorithm, await Check(TokenForge.SignEcdsa(TokenForge.Header(kid: kid, alg: "ES384"), VictimClaims(), p384, HashAlgorithmName.SHA384)));
        Assert.Equal(TokenFailure.InvalidAlgorithm, await Check(TokenForge.SignEcdsa(TokenForge.Header(kid: kid, alg: "ES384"), VictimClaims(), ours, HashAlgorithmName.SHA384)));
        Assert.Equal(TokenFailure.InvalidAlgorithm, await Check(TokenForge.SignEcdsa(TokenForge.Header(kid: kid, alg: "ES512"), VictimClaims(), ours, HashAlgorithmName.SHA512)));
        Assert.Equal(TokenFailure.InvalidSignature, await Check(TokenForge.SignEs256(TokenForge.Header(kid: kid, alg: "ES256"), VictimClaims(), attacker)));
        Assert.Equal(TokenFailure.UnknownKey, await Check(TokenForge.SignEs256(TokenForge.Header(kid: TokenForge.EcThumbprint(attacker), alg: "ES256"), VictimClaims(), attacker)));

        // The control: the same forge with our key is accepted, so the refusals above are about the key and alg.
        Assert.Equal(TokenFailure.None, await Check(TokenForge.SignEs256(TokenForge.Header(kid: kid, alg: "ES256"), VictimClaims(), ours)));
    }

    [Fact]
    public async Task TheJwksHoldsOnlyPublicParametersOfEveryVersion()
    {
        var options = OptionsFor("ES256");
        var source = new TwoVersions(TokenForge.NewEs256Pem(), TokenForge.NewEs256Pem());
        var ring = new SigningKeyRing(source, Options.Create(options), TimeProvider.System, NullLogger<SigningKeyRing>.Instance);
        await ring.RefreshAsync(default);

        var json = System.Text.Json.JsonDocument.Parse(new DiscoveryDocuments(Options.Create(options)).KeySet(ring.Current!)).RootElement;
        var keys = json.GetProperty("keys").EnumerateArray().ToList();

        Assert.Equal(2, keys.Count);
        Assert.Equal(ring.Current!.Keys.Select(k => k.KeyId), keys.Select(k => k.GetProperty("kid").GetString()));
        foreach (var key in keys)
        {
            Assert.Equal(["alg", "crv", "kid", "kty", "use", "x", "y"], key.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Equal("sig", key.GetProperty("use").GetString());
            Assert.Equal("ES256", key.GetProperty("alg").GetString());
        }
    }

    [Fact]
    public async Task WithHs256TheJwksIsEmptyAndTheSecretIsNeverPublished()
    {
        var ring = await TestKeys.LoadedRingAsync();
        var documents = new DiscoveryDocuments(Options.Create(new JwtOptions()));

        Assert.True(documents.IsSymmetric);
        Assert.Equal("""{"keys":[]}""", Encoding.UTF8.GetString(documents.KeySet(ring.Current!)));
    }

    [Theory]
    [InlineData("ES256", "jwtfunctions", false)]
    [InlineData("ES256", "http://evil.example/api", false)]
    [InlineData("ES256", "https://issuer.example/api/", false)]
    [InlineData("ES256", "https://issuer.example/api", true)]
    [InlineData("RS256", "http://localhost:7071/api", true)]
    [InlineData("HS256", "jwtfunctions", true)]
    [InlineData("es256", "https://issuer.example/api", false)]
    [InlineData("PS256", "https://issuer.example/api", false)]
    public void AsymmetricAlgorithmsNeedTheIssuerToBeTheServiceUrl(string algorithm, string issuer, bool valid)
    {
        var result = new JwtOptionsValidator().Validate(null, new JwtOptions { Algorithm = algorithm, Issuer = issuer });

        Assert.Equal(valid, result.Succeeded);
    }

    private sealed class TwoVersions(string newer, string older) : ISigningKeySource
    {
        public string Name => "two";

        public Task<IReadOnlyList<SigningKeyVersion>> LoadAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<SigningKeyVersion>>([new("v2", newer, null, null), new("v1", older, null, null)]);
    }
}
