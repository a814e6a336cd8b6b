using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using JwtFunctions.SigningKeys;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.Benchmarks;

/// <summary>
/// HS256, ES256 and RS256 side by side through the project's TokenService (create one access token,
/// validate one), next to the raw primitive over the same signing input with a reused key object
/// (HMACSHA256.HashData, ECDsa.VerifyData, RSA.VerifyData): the limit validation can approach.
/// Keys are imported once at set-up, as the key ring does; nothing is imported per call.
/// </summary>
/// <remarks>
/// One method per algorithm and measurement (not [Params]): the ratio summary in Program.cs keys
/// its rows by method description, which must therefore be unique. Grouped by category, each
/// algorithm's primitive is the baseline of its group.
/// </remarks>
[Config(typeof(MicroConfig))]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AlgorithmBenchmarks
{
    private readonly Case _hs256 = new("HS256");
    private readonly Case _es256 = new("ES256");
    private readonly Case _rs256 = new("RS256");

    [GlobalSetup]
    public void Setup()
    {
        _hs256.Setup();
        _es256.Setup();
        _rs256.Setup();
    }

    [Benchmark(Description = "HS256 create: TokenService"), BenchmarkCategory("HS256")]
    public string Hs256Create() => _hs256.Create();

    [Benchmark(Description = "HS256 validate: TokenService"), BenchmarkCategory("HS256")]
    public bool Hs256Validate() => _hs256.Validate();

    [Benchmark(Baseline = true, Description = "HS256 validate: primitive HMACSHA256 (reused key)"), BenchmarkCategory("HS256")]
    public bool Hs256Primitive() => _hs256.Primitive();

    [Benchmark(Description = "ES256 create: TokenService"), BenchmarkCategory("ES256")]
    public string Es256Create() => _es256.Create();

    [Benchmark(Description = "ES256 validate: TokenService"), BenchmarkCategory("ES256")]
    public bool Es256Validate() => _es256.Validate();

    [Benchmark(Baseline = true, Description = "ES256 validate: primitive ECDsa.VerifyData (reused key)"), BenchmarkCategory("ES256")]
    public bool Es256Primitive() => _es256.Primitive();

    [Benchmark(Description = "RS256 create: TokenService"), BenchmarkCategory("RS256")]
    public string Rs256Create() => _rs256.Create();

    [Benchmark(Description = "RS256 validate: TokenService"), BenchmarkCategory("RS256")]
    public bool Rs256Validate() => _rs256.Validate();

    [Benchmark(Baseline = true, Description = "RS256 validate: primitive RSA.VerifyData (reused key)"), BenchmarkCategory("RS256")]
    public bool Rs256Primitive() => _rs256.Primitive();

    private sealed class Case(string algorithm)
    {
        private TokenService _service = null!;
        private SigningKeySet _keys = null!;
        private string _token = null!;
        private byte[] _signingInput = null!;
        private byte[] _signature = null!;
        private byte[] _hmacKey = null!;
        private ECDsa _ecdsa = null!;
        private RSA _rsa = null!;

        public void Setup()
        {
            string secret;
            switch (algorithm)
            {
                case "ES256":
                    _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                    secret = _ecdsa.ExportPkcs8PrivateKeyPem();
                    break;
                case "RS256":
                    _rsa = RSA.Create(2048);
                    secret = _rsa.ExportPkcs8PrivateKeyPem();
                    break;
                default:
                    _hmacKey = RandomNumberGenerator.GetBytes(32);
                    secret = Convert.ToBase64String(_hmacKey);
                    break;
            }

            var options = Options.Create(new JwtOptions { Algorithm = algorithm, Issuer = "https://bench.example/api" });
            var ring = new SigningKeyRing(new LocalSigningKeySource(secret), options, TimeProvider.System, NullLogger<SigningKeyRing>.Instance);
            ring.RefreshAsync(CancellationToken.None).GetAwaiter().GetResult();
            _service = new TokenService(ring, options, TimeProvider.System);
            _keys = ring.Current ?? throw new InvalidOperationException("The key was refused.");
            _token = _service.CreateAccessToken(_keys, "benchuser", Guid.NewGuid().ToString("N")).Value;
            var lastDot = _token.LastIndexOf('.');
            _signingInput = Encoding.ASCII.GetBytes(_token[..lastDot]);
            _signature = Base64UrlEncoder.DecodeBytes(_token[(lastDot + 1)..]);
            if (!Primitive() || !Validate())
            {
                throw new InvalidOperationException($"{algorithm}: the service's token does not verify.");
            }
        }

        public string Create() => _service.CreateAccessToken(_keys, "benchuser", "session").Value;

        public bool Validate() => _service.ValidateAsync(_token, TokenKind.Access, CancellationToken.None).AsTask().GetAwaiter().GetResult().Succeeded;

        public bool Primitive() => algorithm switch
        {
            "ES256" => _ecdsa.VerifyData(_signingInput, _signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            "RS256" => _rsa.VerifyData(_signingInput, _signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_hmacKey, _signingInput), _signature),
        };
    }
}
