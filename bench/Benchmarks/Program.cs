using System.Globalization;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using JwtFunctions.Benchmarks;

// Usage:
//   JwtFunctions.Benchmarks --filter '*'                 every benchmark, then the ratio summary
//   JwtFunctions.Benchmarks --filter '*TokenBenchmarks*' one area (Token, Middleware, Login, Refresh)
//   JwtFunctions.Benchmarks --storage-proof [N]          count Azure SDK requests around N protected-path checks
//   JwtFunctions.Benchmarks --alloc-breakdown            bytes per validation, layer by layer
//   JwtFunctions.Benchmarks --hashing-proof              Argon2id vs PBKDF2: process CPU per hash and per login, peak memory of concurrent logins
//   JwtFunctions.Benchmarks --login-timing [N]           medians of wrong password, unknown username, locked account (N rounds)
//   JwtFunctions.Benchmarks --revocation-reload [H] [L]  one revocation reload with H historical and L live rows, f6b220e's layout vs expiry buckets
if (args.Length > 0 && args[0] == "--storage-proof")
{
    var n = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
    return await StorageRequestProof.RunAsync(n);
}

if (args.Length > 0 && args[0] == "--hashing-proof")
{
    return await HashingProof.RunAsync();
}

if (args.Length > 0 && args[0] == "--login-timing")
{
    return await LoginTimingProof.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 40);
}

if (args.Length > 0 && args[0] == "--revocation-reload")
{
    var historical = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
    var live = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000;
    return await RevocationReloadProof.RunAsync(historical, live);
}

if (args.Length > 0 && args[0] == "--alloc-breakdown")
{
    return await AllocationBreakdown.RunAsync();
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(AppFixture).Assembly).Run(args).ToList();
RatioSummary.Print(summaries);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;

internal static class RatioSummary
{
    public static void Print(IReadOnlyList<Summary> summaries)
    {
        var rows = summaries.SelectMany(s => s.Reports)
            .Where(r => r.Success && r.ResultStatistics is not null)
            .ToDictionary(r => r.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\''), r => r);
        if (rows.Count == 0)
        {
            return;
        }

        double? Median(string name) => rows.TryGetValue(name, out var r) ? r.ResultStatistics!.Median : null;
        long? Allocated(string name) => rows.TryGetValue(name, out var r) ? r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase) : null;
        static string Time(double ns) => ns >= 1e6 ? $"{ns / 1e6:0.00} ms" : $"{ns / 1e3:0.00} us";

        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine("== JwtFunctions benchmark summary (medians; ratios within this run) ==");
        foreach (var (name, report) in rows.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            Console.WriteLine(string.Create(culture, $"  {name,-52} median {Time(report.ResultStatistics!.Median),12}  allocated {Allocated(name)?.ToString(culture) ?? "?",8} B"));
        }

        void Ratio(string label, string numerator, string denominator, double? goal)
        {
            if (Median(numerator) is { } a && Median(denominator) is { } b)
            {
                var verdict = goal is { } g ? (a / b <= g ? $"  (goal <= {g:0.0}x: met)" : $"  (goal <= {g:0.0}x: MISSED)") : string.Empty;
                Console.WriteLine(string.Create(culture, $"{label} = {a / b:0.00}x{verdict}"));
            }
        }

        void Bytes(string label, string numerator, string denominator)
        {
            if (Allocated(numerator) is { } a && Allocated(denominator) is { } b)
            {
                Console.WriteLine(string.Create(culture, $"{label} = {a} B vs {b} B ({(a <= b ? "goal <= met" : "goal <= MISSED")})"));
            }
        }

        const string handWritten = "validate: hand-written HS256 limit";
        const string jsonWebTokenHandler = "validate: JsonWebTokenHandler alone";
        Ratio("validate via TokenService / hand-written limit", "validate: TokenService.ValidateAsync", handWritten, 2.5);
        Ratio("validate with roles+scope via TokenService / hand-written limit with roles+scope", "validate: TokenService.ValidateAsync, roles+scope", "validate: hand-written HS256 limit, roles+scope", 2.5);
        Ratio("validate via BearerAuthenticator / hand-written limit", "validate: BearerAuthenticator.AuthenticateAsync", handWritten, 2.5);
        Ratio("validate via JsonWebTokenHandler alone / hand-written limit", jsonWebTokenHandler, handWritten, null);
        Ratio("validate via JwtSecurityTokenHandler / hand-written limit", "validate: JwtSecurityTokenHandler (legacy)", handWritten, null);
        Ratio("validate via TokenService / JsonWebTokenHandler alone", "validate: TokenService.ValidateAsync", jsonWebTokenHandler, null);
        Bytes("allocated: TokenService.ValidateAsync vs JsonWebTokenHandler alone", "validate: TokenService.ValidateAsync", jsonWebTokenHandler);
        if (Allocated("validate: TokenService.ValidateAsync") is { } serviceBytes && Allocated("validate: JsonWebTokenHandler, alg/typ delegates") is { } tunedBytes)
        {
            // No goal: the handler tuned the same way, to show the service's own share.
            Console.WriteLine(string.Create(culture, $"allocated: TokenService.ValidateAsync vs JsonWebTokenHandler with the service's alg/typ delegates = {serviceBytes} B vs {tunedBytes} B ({serviceBytes - tunedBytes:+0;-0;0} B: the service's own work, e.g. the TokenPrincipal it returns)"));
        }
        // No goal for the Bearer layer: it starts from the Authorization header, so it also pays for
        // the token string copied out of "Bearer <token>" (the handler takes a string), ~2 B per character.
        if (Allocated("validate: BearerAuthenticator.AuthenticateAsync") is { } bearer && Allocated("validate: TokenService.ValidateAsync") is { } service)
        {
            Console.WriteLine(string.Create(culture, $"allocated: BearerAuthenticator = {bearer} B, of which beyond TokenService: {bearer - service} B (header parse: the token copied out of the header; revocation check)"));
        }
        Ratio("create via TokenService / JsonWebTokenHandler alone", "create: TokenService.CreateAccessToken", "create: JsonWebTokenHandler alone", null);
        Ratio("middleware valid / hand-written limit", "middleware: valid token", handWritten, null);
        Ratio("middleware invalid (401) / hand-written limit", "middleware: invalid token (401)", handWritten, null);

        Ratio("hash PBKDF2-600k / Argon2id (goal >= 8x, see HASH-PAIRED for CPU)", "password: PBKDF2-SHA256 hash (600,000)", "password: Argon2id hash (m=19456 t=2 p=1)", null);
        Ratio("login PBKDF2 / Argon2id (goal >= 5x, see LOGIN-PAIRED-CPU for CPU)", "login: AccountService.LoginAsync, PBKDF2 (Azurite)", "login: AccountService.LoginAsync, Argon2id (Azurite)", null);
        Ratio("legacy PBKDF2 verify under Argon2id / PBKDF2 verify under PBKDF2 (unchanged: ~1.0x)", "password: legacy PBKDF2 verify (Argon2id configured)", "password: PBKDF2 verify (PBKDF2 configured)", null);

        const string verify = "password: Argon2id verify";
        const string login = "login: AccountService.LoginAsync, Argon2id (Azurite)";
        if (Median(login) is { } loginNs && Median(verify) is { } verifyNs)
        {
            var overheadMs = (loginNs - verifyNs) / 1e6;
            Console.WriteLine(string.Create(culture,
                $"login median - password verify median = {overheadMs:0.0} ms (goal <= 15 ms: {(overheadMs <= 15 ? "met" : "MISSED")}; two benchmarks run minutes apart, see LOGIN-PAIRED below for interleaved pairs); logins/s per core at this cost ~ {1e9 / loginNs:0.0}"));
        }

        if (Median("refresh: AccountService.RefreshAsync (Azurite)") is { } refreshNs)
        {
            Console.WriteLine(string.Create(culture, $"refresh median = {refreshNs / 1e6:0.0} ms (goal < 15 ms: {(refreshNs / 1e6 < 15 ? "met" : "MISSED")})"));
        }
    }
}
