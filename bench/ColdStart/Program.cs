using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using JwtFunctions.FunctionsHost;
using JwtFunctions.TestSupport;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

// Usage: JwtFunctions.ColdStart --variant LABEL=DIR [--variant-env LABEL=KEY=VALUE]... [--runs N]
// Starts a private in-memory Azurite, then N rounds; in each round, for every variant in turn (so
// machine noise hits all variants alike): a fresh worker under the local Functions host, GET
// /api/v1.0/protected with a valid access token every 5 ms until it answers 200. Prints the time
// from worker process start to that 200 for each run, and each variant's median.
//
// With --key-vault the worker reads its signing key from the tests' HTTPS Key Vault stand-in
// (managed identity token + secret list + value, through HTTPS_PROXY and SSL_CERT_FILE, as
// tests/EndToEnd.Tests/KeyVaultApp does), so the first 200 includes the first Key Vault fetch.
//
// Or: JwtFunctions.ColdStart --serve --app DIR --port N [--log-level Warning] [--env KEY=VALUE]...
// serves the app through the same local host, started in-process with the given minimum log level
// (Warning: no per-invocation "Executed ..." line), until SIGTERM; used by bench/compare.sh to show
// how much of the host's per-request CPU is that console line.
if (args.Length > 0 && args[0] == "--serve")
{
    return await Serve.RunAsync(args[1..]);
}

var variants = new List<(string Label, string Dir)>();
var variantEnv = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
var runs = 7;
var keyVault = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--variant":
            var v = args[++i].Split('=', 2);
            variants.Add((v[0], v[1]));
            break;
        case "--variant-env":
            var e = args[++i].Split('=', 3);
            if (!variantEnv.TryGetValue(e[0], out var env))
            {
                variantEnv[e[0]] = env = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            env[e[1]] = e[2];
            break;
        case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--key-vault": keyVault = true; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

if (variants.Count == 0)
{
    Console.Error.WriteLine("--variant LABEL=DIR (a published or built JwtFunctions folder) is required");
    return 2;
}

var root = typeof(Marker).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "RepositoryRoot").Value!;
await using var azurite = await Azurite.StartAsync(root, new TestLog());
{
    var key = RandomNumberGenerator.GetBytes(32);
    var keyId = "local";
    var common = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AzureWebJobsStorage"] = azurite.ConnectionString,
        ["SigningKeys__LocalKey"] = Convert.ToBase64String(key),
    };
    await using var vault = keyVault ? await KeyVaultSetup.StartAsync(common, key) : null;
    if (vault is not null)
    {
        keyId = vault.KeyId;
    }

    var settings = Path.Combine(Path.GetTempPath(), $"coldstart-{Environment.ProcessId}.settings.json");
    File.WriteAllText(settings, """{"IsEncrypted":false,"Values":{}}""");
    var token = TokenForge.Create(key, keyId: keyId, subject: "coldstart", expiresIn: TimeSpan.FromHours(1));
    var results = variants.ToDictionary(v => v.Label, _ => new List<(double FirstOk, double Loaded)>());
    for (var run = 0; run <= runs; run++)
        foreach (var (label, app) in variants)
        {
            var environment = new Dictionary<string, string>(common, StringComparer.Ordinal);
            foreach (var (name, value) in variantEnv.GetValueOrDefault(label) ?? [])
            {
                environment[name] = value;
            }

            var host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
            {
                AppDirectory = app,
                Port = 0,
                Environment = environment,
                LocalSettingsPath = settings,
                LogSink = _ => { },
            });
            await using (host)
            {
                using var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                var deadline = Stopwatch.StartNew();
                HttpStatusCode status = 0;
                while (deadline.Elapsed < TimeSpan.FromSeconds(30))
                {
                    using var response = await client.GetAsync("api/v1.0/protected");
                    status = response.StatusCode;
                    if (status == HttpStatusCode.OK)
                    {
                        break;
                    }

                    await Task.Delay(5);
                }

                var firstOk = Stopwatch.GetElapsedTime(host.WorkerStartTimestamp).TotalMilliseconds;
                if (status != HttpStatusCode.OK)
                {
                    Console.Error.WriteLine($"run {run}: no 200 within 30 s (last {(int)status})");
                    return 1;
                }

                // Run 0 warms the OS file cache and the host itself; it is reported but not counted.
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"COLDSTART {label} run {run}{(run == 0 ? " (warm-up, not counted)" : string.Empty)}: worker start -> first 200 {firstOk:0} ms (functions loaded after {host.StartupDuration.TotalMilliseconds:0} ms)"));
                if (run > 0)
                {
                    results[label].Add((firstOk, host.StartupDuration.TotalMilliseconds));
                }
            }
        }

    File.Delete(settings);
    foreach (var (label, list) in results)
    {
        var sorted = list.Select(r => r.FirstOk).Order().ToList();
        var loaded = list.Select(r => r.Loaded).Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"COLDSTART {label} median worker start -> first 200 from /api/v1.0/protected: {sorted[sorted.Count / 2]:0} ms (min {sorted[0]:0}, max {sorted[^1]:0}, n={sorted.Count}); functions loaded median {loaded[loaded.Count / 2]:0} ms"));
    }

    return 0;
}

internal sealed class Marker;
