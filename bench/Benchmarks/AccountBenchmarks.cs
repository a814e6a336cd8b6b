using BenchmarkDotNet.Attributes;
using JwtFunctions.Accounts;
using JwtFunctions.Endpoints;
using JwtFunctions.Tokens;

namespace JwtFunctions.Benchmarks;

/// <summary>
/// Argon2id (the default: m=19456 KiB, t=2, p=1) and PBKDF2-HMAC-SHA256 (600,000 iterations, the
/// FIPS setting and every legacy hash) side by side in one run: hash, verify, the verify of a legacy
/// PBKDF2 hash under the Argon2id default (what a not-yet-migrated user pays), and a whole login
/// through AccountService against Azurite (user and lock-out reads, hash, refresh-family insert, two
/// tokens) with each algorithm configured. Wall-clock medians; the process CPU per login is measured
/// by <c>--hashing-proof</c> (HASH-PAIRED, LOGIN-PAIRED-CPU).
/// </summary>
[Config(typeof(StorageConfig))]
public class LoginBenchmarks
{
    public const string Username = "benchuser";
    public const string Password = "correct horse battery staple";

    private AppFixture _argon2App = null!;
    private AppFixture _pbkdf2App = null!;
    private AccountService _argon2Accounts = null!;
    private AccountService _pbkdf2Accounts = null!;
    private PasswordHasher _argon2 = null!;
    private PasswordHasher _pbkdf2 = null!;
    private string _argon2Hash = null!;
    private string _pbkdf2Hash = null!;

    /// <summary>The settings of the FIPS deployment (PBKDF2 for new hashes).</summary>
    public static readonly Dictionary<string, string?> Pbkdf2Settings = new() { ["Accounts:PasswordHashAlgorithm"] = "Pbkdf2" };

    [GlobalSetup]
    public void Setup()
    {
        (_argon2App, _argon2Accounts, _argon2) = Start(null);
        (_pbkdf2App, _pbkdf2Accounts, _pbkdf2) = Start(Pbkdf2Settings);
        _argon2Hash = _argon2.Hash(Password);
        _pbkdf2Hash = _pbkdf2.Hash(Password);
        if (_argon2.Verify(Password, _pbkdf2Hash) != PasswordVerification.SucceededRehashNeeded
            || _argon2.Verify(Password, _argon2Hash) != PasswordVerification.Succeeded
            || LoginArgon2id().GetAwaiter().GetResult() is null || LoginPbkdf2().GetAwaiter().GetResult() is null)
        {
            throw new InvalidOperationException("Set-up check failed.");
        }

        Console.WriteLine($"// new hashes: {_argon2.Parameters} vs {_pbkdf2.Parameters}");
    }

    internal static (AppFixture App, AccountService Accounts, PasswordHasher Hasher) Start(IDictionary<string, string?>? settings)
    {
        var app = AppFixture.StartAsync(settings).GetAwaiter().GetResult();
        var accounts = app.Get<AccountService>();
        var registered = accounts.RegisterAsync(Username, Password, CancellationToken.None).GetAwaiter().GetResult();
        if (registered != RegistrationResult.Created)
        {
            throw new InvalidOperationException($"Registration: {registered}.");
        }

        return (app, accounts, app.Get<PasswordHasher>());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _argon2App.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _pbkdf2App.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Description = "password: Argon2id hash (m=19456 t=2 p=1)")]
    public string HashArgon2id() => _argon2.Hash(Password);

    [Benchmark(Description = "password: PBKDF2-SHA256 hash (600,000)")]
    public string HashPbkdf2() => _pbkdf2.Hash(Password);

    [Benchmark(Description = "password: Argon2id verify")]
    public PasswordVerification VerifyArgon2id() => _argon2.Verify(Password, _argon2Hash);

    [Benchmark(Description = "password: PBKDF2 verify (PBKDF2 configured)")]
    public PasswordVerification VerifyPbkdf2() => _pbkdf2.Verify(Password, _pbkdf2Hash);

    [Benchmark(Description = "password: legacy PBKDF2 verify (Argon2id configured)")]
    public PasswordVerification VerifyLegacyPbkdf2() => _argon2.Verify(Password, _pbkdf2Hash);

    [Benchmark(Description = "login: AccountService.LoginAsync, Argon2id (Azurite)")]
    public async Task<TokenPair?> LoginArgon2id() => (await _argon2Accounts.LoginAsync(Username, Password, CancellationToken.None)).Tokens;

    [Benchmark(Description = "login: AccountService.LoginAsync, PBKDF2 (Azurite)")]
    public async Task<TokenPair?> LoginPbkdf2() => (await _pbkdf2Accounts.LoginAsync(Username, Password, CancellationToken.None)).Tokens;
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
