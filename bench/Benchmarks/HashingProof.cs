using System.Diagnostics;
using System.Globalization;
using JwtFunctions.Accounts;

namespace JwtFunctions.Benchmarks;

/// <summary>
/// <c>--hashing-proof</c>: Argon2id (the default) against PBKDF2-SHA256-600k in the same minutes,
/// by <b>process CPU time</b> (<see cref="Environment.CpuUsage"/>, getrusage on Linux: this .NET
/// process only; Azurite is a separate process and not counted), interleaved in rounds so that the
/// machine's drift hits both alike:
/// <list type="bullet">
/// <item>HASH-PAIRED: CPU per hash, and the verify of a legacy PBKDF2 hash under the Argon2id default
/// against a PBKDF2 verify under the PBKDF2 setting (must be unchanged, ~1.0x).</item>
/// <item>LOGIN-PAIRED-CPU: CPU per whole login (AccountService.LoginAsync against Azurite: reads,
/// hash, refresh-family insert, two tokens), one app per algorithm.</item>
/// <item>LOGIN-THROUGHPUT: 16 concurrent logins at a time (the Bicep's per-instance HTTP
/// concurrency) for a fixed number, through the hashing gate: logins/s on this machine.</item>
/// <item>MEMORY: the rise of peak resident memory (VmHWM, reset through /proc/self/clear_refs) while
/// N hashes run at once — bypassing the gate (what an unbounded burst would cost) and through
/// AccountService with the gate at its default of 4 slots.</item>
/// </list>
/// </summary>
public static class HashingProof
{
    private const int Rounds = 10;
    private const int PerRound = 4;

    public static async Task<int> RunAsync()
    {
        var (argon2App, argon2Accounts, argon2) = LoginBenchmarks.Start(null);
        var (pbkdf2App, pbkdf2Accounts, pbkdf2) = LoginBenchmarks.Start(LoginBenchmarks.Pbkdf2Settings);
        await using var a = argon2App;
        await using var b = pbkdf2App;
        const string password = LoginBenchmarks.Password;
        var argon2Hash = argon2.Hash(password);
        var pbkdf2Hash = pbkdf2.Hash(password);

        async Task<bool> Login(AccountService accounts) => (await accounts.LoginAsync(LoginBenchmarks.Username, password, CancellationToken.None)).Tokens is not null;

        // Warm-up (JIT, connection pool, tables).
        for (var i = 0; i < 3; i++)
        {
            argon2.Hash(password);
            pbkdf2.Hash(password);
            if (!await Login(argon2Accounts) || !await Login(pbkdf2Accounts))
            {
                Console.WriteLine("HASHING-PROOF FAIL: a warm-up login was refused");
                return 1;
            }
        }

        var cpu = new Dictionary<string, List<double>>();
        async Task Measure(string name, Func<Task> operation)
        {
            var before = Environment.CpuUsage.TotalTime;
            for (var i = 0; i < PerRound; i++)
            {
                await operation();
            }

            var perOp = (Environment.CpuUsage.TotalTime - before).TotalMilliseconds / PerRound;
            (cpu.TryGetValue(name, out var list) ? list : cpu[name] = []).Add(perOp);
        }

        var refused = 0;
        for (var round = 0; round < Rounds; round++)
        {
            await Measure("hash argon2id", () => { argon2.Hash(password); return Task.CompletedTask; });
            await Measure("hash pbkdf2", () => { pbkdf2.Hash(password); return Task.CompletedTask; });
            await Measure("verify legacy pbkdf2 (argon2id configured)", () => { Check(argon2.Verify(password, pbkdf2Hash) == PasswordVerification.SucceededRehashNeeded); return Task.CompletedTask; });
            await Measure("verify pbkdf2 (pbkdf2 configured)", () => { Check(pbkdf2.Verify(password, pbkdf2Hash) == PasswordVerification.Succeeded); return Task.CompletedTask; });
            await Measure("verify argon2id", () => { Check(argon2.Verify(password, argon2Hash) == PasswordVerification.Succeeded); return Task.CompletedTask; });
            await Measure("login argon2id", async () => Check(await Login(argon2Accounts)));
            await Measure("login pbkdf2", async () => Check(await Login(pbkdf2Accounts)));
        }

        void Check(bool ok) => refused += ok ? 0 : 1;
        if (refused > 0)
        {
            Console.WriteLine($"HASHING-PROOF FAIL: {refused} verification(s) or login(s) did not succeed");
            return 1;
        }

        double M(string name) => Median(cpu[name]);
        var c = CultureInfo.InvariantCulture;
        var hashRatio = M("hash pbkdf2") / M("hash argon2id");
        var loginRatio = M("login pbkdf2") / M("login argon2id");
        var legacyRatio = M("verify legacy pbkdf2 (argon2id configured)") / M("verify pbkdf2 (pbkdf2 configured)");
        Console.WriteLine($"HASHING-PROOF process CPU per operation, medians of {Rounds} interleaved rounds of {PerRound}:");
        foreach (var (name, values) in cpu)
        {
            Console.WriteLine(string.Create(c, $"  {name,-45} {Median(values),8:0.00} ms CPU (min {values.Min():0.00}, max {values.Max():0.00})"));
        }

        Console.WriteLine(string.Create(c, $"HASH-PAIRED: PBKDF2-600k / Argon2id (m=19456 t=2 p=1) hash CPU = {hashRatio:0.0}x (goal >= 8x: {(hashRatio >= 8 ? "met" : "MISSED")})"));
        Console.WriteLine(string.Create(c, $"HASH-PAIRED: legacy PBKDF2 verify under the Argon2id default / PBKDF2 verify under the PBKDF2 setting = {legacyRatio:0.00}x (unchanged: the same PBKDF2 call)"));
        Console.WriteLine(string.Create(c, $"LOGIN-PAIRED-CPU: login PBKDF2 / login Argon2id process CPU = {loginRatio:0.0}x (goal >= 5x: {(loginRatio >= 5 ? "met" : "MISSED")}); per login {M("login argon2id"):0.00} vs {M("login pbkdf2"):0.00} ms CPU; CPU-bound ceiling on {Environment.ProcessorCount} cores ~ {Environment.ProcessorCount * 1000 / M("login argon2id"):0} vs {Environment.ProcessorCount * 1000 / M("login pbkdf2"):0} logins/s"));

        // Throughput: 16 in flight (the Bicep's perInstanceConcurrency default), gate at its default.
        foreach (var (name, accounts, count) in new[] { ("Argon2id", argon2Accounts, 96), ("PBKDF2", pbkdf2Accounts, 32) })
        {
            var watch = Stopwatch.StartNew();
            var cpuBefore = Environment.CpuUsage.TotalTime;
            var next = 0;
            var ok = 0;
            await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Increment(ref next) <= count)
                {
                    if (await Login(accounts))
                    {
                        Interlocked.Increment(ref ok);
                    }
                }
            })));
            var seconds = watch.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(c, $"LOGIN-THROUGHPUT {name}: {ok}/{count} logins, 16 concurrent, in {seconds:0.00} s = {ok / seconds:0.0} logins/s on this {Environment.ProcessorCount}-core machine (Azurite included); process CPU {(Environment.CpuUsage.TotalTime - cpuBefore).TotalMilliseconds / count:0.0} ms/login"));
        }

        // Memory: the rise of peak RSS while N hashes run at once.
        Console.WriteLine($"MEMORY (peak RSS rise over the idle process, VmHWM after a clear_refs reset; gate default {argon2App.Get<PasswordHashGate>().Limit} slots):");
        foreach (var n in new[] { 1, 4, 16 })
        {
            // Dedicated threads released together: the thread pool alone would run only a few at once.
            var rise = await PeakRiseAsync(() => Task.Run(() => AllAtOnce(n, () => argon2.Hash(password))));
            Console.WriteLine(string.Create(c, $"  {n,2} Argon2id hashes at once, no gate:          peak RSS +{rise:0} MiB ({rise / n:0.0} MiB each)"));
        }

        var gated = await PeakRiseAsync(() => Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => Login(argon2Accounts)))));
        Console.WriteLine(string.Create(c, $"  16 Argon2id logins at once, through the gate: peak RSS +{gated:0} MiB"));
        Console.WriteLine(string.Create(c, $"  process peak RSS now (two app instances + benchmark host): {ReadStatusMiB("VmHWM:"):0} MiB"));
        return hashRatio >= 8 && loginRatio >= 5 ? 0 : 1;
    }

    private static void AllAtOnce(int n, Action work)
    {
        using var start = new Barrier(n);
        var threads = Enumerable.Range(0, n).Select(_ => new Thread(() => { start.SignalAndWait(); work(); })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
    }

    private static async Task<double> PeakRiseAsync(Func<Task> burst)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        await Task.Delay(100);
        File.WriteAllText("/proc/self/clear_refs", "5");
        var idle = ReadStatusMiB("VmRSS:");
        await burst();
        return ReadStatusMiB("VmHWM:") - idle;
    }

    private static double ReadStatusMiB(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
