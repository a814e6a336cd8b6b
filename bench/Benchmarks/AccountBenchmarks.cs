using BenchmarkDotNet.Attributes;
using JwtFunctions.Accounts;
using JwtFunctions.Endpoints;
using JwtFunctions.Tokens;

namespace JwtFunctions.Benchmarks;

/// <summary>
/// Password hashing at the configured cost, and login end to end through AccountService against
/// Azurite (user and lock-out reads, PBKDF2, lock-out reset, refresh-family insert, two tokens).
/// </summary>
[Config(typeof(StorageConfig))]
public class LoginBenchmarks
{
    private const string Username = "benchuser";
    private const string Password = "correct horse battery staple";

    private AppFixture _app = null!;
    private AccountService _accounts = null!;
    private PasswordHasher _hasher = null!;
    private string _storedHash = null!;

    [GlobalSetup]
    public void Setup()
    {
        _app = AppFixture.StartAsync().GetAwaiter().GetResult();
        _accounts = _app.Get<AccountService>();
        _hasher = _app.Get<PasswordHasher>();
        var registered = _accounts.RegisterAsync(Username, Password, CancellationToken.None).GetAwaiter().GetResult();
        if (registered != RegistrationResult.Created)
        {
            throw new InvalidOperationException($"Registration: {registered}.");
        }

        _storedHash = _hasher.Hash(Password);
        if (Login().GetAwaiter().GetResult() is null)
        {
            throw new InvalidOperationException("Login failed.");
        }

        Console.WriteLine($"// PBKDF2 iterations configured: {_hasher.Iterations}");
    }

    [GlobalCleanup]
    public void Cleanup() => _app.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Description = "password: PasswordHasher.Hash (configured cost)")]
    public string HashPassword() => _hasher.Hash(Password);

    [Benchmark(Description = "password: PasswordHasher.Verify (configured cost)")]
    public PasswordVerification VerifyPassword() => _hasher.Verify(Password, _storedHash);

    [Benchmark(Description = "login: AccountService.LoginAsync (Azurite)")]
    public async Task<TokenPair?> Login() => (await _accounts.LoginAsync(Username, Password, CancellationToken.None)).Tokens;
}

/// <summary>
/// Refresh end to end through AccountService against Azurite: user lookup, conditional
/// (ETag) rotation of the presented token with the insert of its successor, two new tokens.
/// Each call spends the token the previous call issued (validated as the middleware would, a few
/// microseconds of the total), so every call is a real, successful rotation.
/// </summary>
[Config(typeof(StorageConfig))]
[IterationCount(20)]
[InvocationCount(8)]
public class RefreshBenchmarks
{
    private AppFixture _app = null!;
    private AccountService _accounts = null!;
    private TokenService _tokens = null!;
    private TokenPrincipal _current = null!;

    [GlobalSetup]
    public void Setup()
    {
        _app = AppFixture.StartAsync().GetAwaiter().GetResult();
        _accounts = _app.Get<AccountService>();
        _tokens = _app.Get<TokenService>();
        const string password = "correct horse battery staple";
        _accounts.RegisterAsync("benchuser", password, CancellationToken.None).GetAwaiter().GetResult();
        var pair = _accounts.LoginAsync("benchuser", password, CancellationToken.None).GetAwaiter().GetResult().Tokens
            ?? throw new InvalidOperationException("Login failed.");
        _current = Principal(pair.RefreshToken);
    }

    private TokenPrincipal Principal(string refreshToken) =>
        _tokens.ValidateAsync(refreshToken, TokenKind.Refresh, CancellationToken.None).AsTask().GetAwaiter().GetResult().Principal
            ?? throw new InvalidOperationException("The refresh token did not validate.");

    [GlobalCleanup]
    public void Cleanup() => _app.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Description = "refresh: AccountService.RefreshAsync (Azurite)")]
    public async Task<TokenPair> Refresh()
    {
        var pair = (await _accounts.RefreshAsync(_current, CancellationToken.None)).Tokens
            ?? throw new InvalidOperationException("Refresh was refused.");
        _current = (await _tokens.ValidateAsync(pair.RefreshToken, TokenKind.Refresh, CancellationToken.None)).Principal!;
        return pair;
    }
}
