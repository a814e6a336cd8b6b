using System.Diagnostics;
using System.Globalization;
using JwtFunctions.Accounts;

namespace JwtFunctions.Benchmarks;

/// <summary>
/// The three refused-login timings side by side, through the app's AccountService on Azurite:
/// a wrong password for an existing account, an unknown username, and a locked account (tried
/// with its right password). Each round runs the three in a shuffled order, so all three medians
/// come from the same minutes of a shared machine. The deterministic counterpart (storage round
/// trips and hash work per kind) is tests/Functions.Tests/Accounts/LoginWorkTests.
/// </summary>
public static class LoginTimingProof
{
    private const string Password = "correct horse battery staple";
    private const string Wrong = "not the right password";

    public static async Task<int> RunAsync(int rounds)
    {
        await using var app = await AppFixture.StartAsync(new Dictionary<string, string?>
        {
            // AccountService is called directly (no HTTP, no throttle); a lock-out that outlasts the run.
            ["Accounts:LockoutDuration"] = "01:00:00",
        });
        var accounts = app.Get<AccountService>();
        await accounts.RegisterAsync("timing-wrong", Password, CancellationToken.None);
        await accounts.RegisterAsync("timing-locked", Password, CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            await accounts.LoginAsync("timing-locked", Wrong, CancellationToken.None);
        }

        var kinds = new (string Name, string User, string Password)[]
        {
            ("wrong password", "timing-wrong", Wrong),
            ("unknown username", "timing-nobody", Wrong),
            ("locked account", "timing-locked", Password),
        };
        var times = kinds.ToDictionary(k => k.Name, _ => new List<double>());
        var random = new Random(12);
        for (var round = -3; round < rounds; round++)
        {
            foreach (var (name, user, password) in kinds.OrderBy(_ => random.Next()))
            {
                var started = Stopwatch.GetTimestamp();
                var grant = await accounts.LoginAsync(user, password, CancellationToken.None);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (grant.Tokens is not null || grant.Failure != GrantFailure.InvalidCredentials)
                {
                    Console.WriteLine($"LOGIN-TIMING FAIL: {name} was not refused ({grant.Failure})");
                    return 1;
                }

                if (round >= 0)
                {
                    times[name].Add(elapsed);
                }
            }
        }

        var culture = CultureInfo.InvariantCulture;
        static double Quantile(List<double> values, double q)
        {
            var sorted = values.Order().ToList();
            return sorted[(int)Math.Round((sorted.Count - 1) * q)];
        }

        Console.WriteLine(string.Create(culture, $"LOGIN-TIMING {rounds} interleaved rounds, {app.Get<PasswordHasher>().Parameters}, Azurite on loopback:"));
        var reference = Quantile(times["wrong password"], 0.5);
        foreach (var (name, _, _) in kinds)
        {
            var median = Quantile(times[name], 0.5);
            Console.WriteLine(string.Create(culture,
                $"  {name,-18} median {median,7:0.0} ms  (p25 {Quantile(times[name], 0.25):0.0}, p75 {Quantile(times[name], 0.75):0.0}, min {times[name].Min():0.0})  {median / reference:0.00}x the wrong-password median"));
        }

        return 0;
    }
}
