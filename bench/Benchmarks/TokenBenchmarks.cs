using System.IdentityModel.Tokens.Jwt;
using BenchmarkDotNet.Attributes;
using JwtFunctions.Authentication;
using JwtFunctions.SigningKeys;
using JwtFunctions.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.Benchmarks;

/// <summary>
/// The hot path: one access token checked per protected call. The project's TokenService and
/// BearerAuthenticator beside a hand-written HS256 verify (the physical limit), JsonWebTokenHandler
/// alone (the library the service wraps) and JwtSecurityTokenHandler (the legacy handler).
/// </summary>
[Config(typeof(MicroConfig))]
public class TokenBenchmarks
{
    private AppFixture _app = null!;
    private TokenService _tokens = null!;
    private BearerAuthenticator _authenticator = null!;
    private SigningKeySet _keys = null!;
    private string _token = null!;
    private string _tokenWithRights = null!;
    private readonly List<string> _roles = new(4);
    private string[] _authorization = null!;
    private HandWrittenJwt _handWritten = null!;
    private readonly JsonWebTokenHandler _jsonWebTokenHandler = new() { MapInboundClaims = false };
    private readonly JwtSecurityTokenHandler _jwtSecurityTokenHandler = new() { MapInboundClaims = false };
    private TokenValidationParameters _parameters = null!;
    private TokenValidationParameters _delegateParameters = null!;
    private SecurityTokenDescriptor _descriptor = null!;
    private SigningCredentials _credentials = null!;

    [GlobalSetup]
    public void Setup()
    {
        _app = AppFixture.StartAsync().GetAwaiter().GetResult();
        _tokens = _app.Get<TokenService>();
        _authenticator = _app.Get<BearerAuthenticator>();
        _keys = _tokens.GetKeysAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult()
            ?? throw new InvalidOperationException("No signing key loaded.");
        _token = _tokens.CreateAccessToken(_keys, "benchuser", Guid.NewGuid().ToString("N")).Value;
        _authorization = ["Bearer " + _token];
        _tokenWithRights = _tokens.CreateAccessToken(_keys, "benchuser", Guid.NewGuid().ToString("N"), 1, ["admin", "ops"], "reports:read reports:export").Value;

        var options = _tokens.Options;
        var key = new SymmetricSecurityKey(_app.KeyBytes) { KeyId = LocalSigningKeySource.KeyId };
        _credentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256);
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidAudience = options.Audience,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidTypes = [TokenTypes.Access],
            IssuerSigningKey = key,
            ClockSkew = options.ClockSkew,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
        };
        // The handler tuned as TokenService tunes it: alg and typ by delegates (which the handler's
        // per-result clone copies by reference), so what remains between the two lines is the
        // service's own work (key lookup by kid, post-checks, the principal it returns).
        _delegateParameters = _parameters.Clone();
        _delegateParameters.ValidAlgorithms = null;
        _delegateParameters.ValidTypes = null;
        _delegateParameters.AlgorithmValidator = (alg, _, _, _) => alg == SecurityAlgorithms.HmacSha256;
        _delegateParameters.TypeValidator = (typ, _, _) => typ == TokenTypes.Access ? typ : throw new SecurityTokenInvalidTypeException("typ");
        _descriptor = new SecurityTokenDescriptor
        {
            TokenType = TokenTypes.Access,
            Issuer = options.Issuer,
            Audience = options.Audience,
            SigningCredentials = _credentials,
        };
        _handWritten = new HandWrittenJwt(_app.KeyBytes, options.Issuer, options.Audience, TokenTypes.Access);

        // Every line must accept the very same token, or the comparison means nothing.
        if (ValidateHandWritten() is null || !ValidateJsonWebTokenHandler().GetAwaiter().GetResult()
            || !ValidateJsonWebTokenHandlerWithDelegates().GetAwaiter().GetResult()
            || ValidateJwtSecurityTokenHandler() is null || !ValidateTokenService().GetAwaiter().GetResult()
            || !AuthenticateBearer().GetAwaiter().GetResult()
            || ValidateHandWrittenWithRights() is null || _roles.Count != 2
            || !ValidateTokenServiceWithRights().GetAwaiter().GetResult())
        {
            throw new InvalidOperationException("A validation line refused the benchmark token.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _handWritten.Dispose();
        _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Description = "validate: hand-written HS256 limit")]
    [BenchmarkCategory("validate")]
    public string? ValidateHandWritten() => _handWritten.Validate(_token, DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    [Benchmark(Description = "validate: hand-written HS256 limit, roles+scope")]
    [BenchmarkCategory("validate")]
    public string? ValidateHandWrittenWithRights() => _handWritten.Validate(_tokenWithRights, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), _roles, out _);

    [Benchmark(Description = "validate: TokenService.ValidateAsync, roles+scope")]
    [BenchmarkCategory("validate")]
    public async Task<bool> ValidateTokenServiceWithRights() =>
        (await _tokens.ValidateAsync(_tokenWithRights, TokenKind.Access, CancellationToken.None)).Principal is { Roles.Count: 2, Scope.Length: > 0 };

    [Benchmark(Description = "validate: JsonWebTokenHandler alone")]
    [BenchmarkCategory("validate")]
    public async Task<bool> ValidateJsonWebTokenHandler() => (await _jsonWebTokenHandler.ValidateTokenAsync(_token, _parameters)).IsValid;

    [Benchmark(Description = "validate: JsonWebTokenHandler, alg/typ delegates")]
    [BenchmarkCategory("validate")]
    public async Task<bool> ValidateJsonWebTokenHandlerWithDelegates() => (await _jsonWebTokenHandler.ValidateTokenAsync(_token, _delegateParameters)).IsValid;

    [Benchmark(Description = "validate: JwtSecurityTokenHandler (legacy)")]
    [BenchmarkCategory("validate")]
    public object? ValidateJwtSecurityTokenHandler() => _jwtSecurityTokenHandler.ValidateToken(_token, _parameters, out _);

    [Benchmark(Description = "validate: TokenService.ValidateAsync")]
    [BenchmarkCategory("validate")]
    public async Task<bool> ValidateTokenService() => (await _tokens.ValidateAsync(_token, TokenKind.Access, CancellationToken.None)).Succeeded;

    [Benchmark(Description = "validate: BearerAuthenticator.AuthenticateAsync")]
    [BenchmarkCategory("validate")]
    public async Task<bool> AuthenticateBearer() => (await _authenticator.AuthenticateAsync(_authorization, TokenKind.Access, CancellationToken.None)).Principal is not null;

    [Benchmark(Description = "create: JsonWebTokenHandler alone")]
    [BenchmarkCategory("create")]
    public string CreateJsonWebTokenHandler()
    {
        var now = DateTime.UtcNow;
        _descriptor.IssuedAt = now;
        _descriptor.NotBefore = now;
        _descriptor.Expires = now.AddMinutes(15);
        _descriptor.Claims = new Dictionary<string, object>(4)
        {
            [Microsoft.IdentityModel.JsonWebTokens.JwtRegisteredClaimNames.Sub] = "benchuser",
            [Microsoft.IdentityModel.JsonWebTokens.JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
            [TokenService.SessionClaim] = "session",
            [TokenService.GenerationClaim] = 0L,
        };
        return _jsonWebTokenHandler.CreateToken(_descriptor);
    }

    [Benchmark(Description = "create: TokenService.CreateAccessToken")]
    [BenchmarkCategory("create")]
    public string CreateTokenService() => _tokens.CreateAccessToken(_keys, "benchuser", "session").Value;
}
