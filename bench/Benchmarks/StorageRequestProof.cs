using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using JwtFunctions.Accounts;
using JwtFunctions.Authentication;
using JwtFunctions.Endpoints;
using JwtFunctions.TestSupport;
using JwtFunctions.Tokens;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;

namespace JwtFunctions.Benchmarks;

/// <summary>
/// Proof that the protected path does no storage (or Key Vault) I/O: counts every request the
/// Azure SDK sends in this process (Azure.Core's "Azure-Core" EventSource raises "Request" for
/// each one, Table Storage and Key Vault alike) around N validations, N Bearer authentications and
/// N middleware invocations. Background reloads (revocation list every 15 s, keys every 5 min)
/// are reported separately by their URL, so one landing in the window cannot hide a per-request read.
/// </summary>
public static class StorageRequestProof
{
    public static async Task<int> RunAsync(int n)
    {
        await using var app = await AppFixture.StartAsync();
        var tokens = app.Get<TokenService>();
        var authenticator = app.Get<BearerAuthenticator>();
        var middleware = ActivatorUtilities.CreateInstance<BearerAuthenticationMiddleware>(app.Services);
        var keys = (await tokens.GetKeysAsync(CancellationToken.None))!;
        var token = tokens.CreateAccessToken(keys, "benchuser", Guid.NewGuid().ToString("N")).Value;
        string[] header = ["Bearer " + token];
        var context = new FakeFunctionContext(new FakeFunctionDefinition("Protected", "JwtFunctions.Endpoints.Protected.Run"), app.Services);
        context.Attach(new FakeHttpRequest(context, "GET", url: "http://127.0.0.1/api/v1.0/protected", headers: [("Authorization", header[0])]));
        FunctionExecutionDelegate next = _ => Task.CompletedTask;

        using var listener = new AzureRequestListener();
        // Control: the listener sees a real storage request.
        await app.Get<JwtFunctions.Accounts.UserStore>().PingAsync(CancellationToken.None);
        await Task.Delay(200);
        var control = listener.Drain();

        var watch = Stopwatch.StartNew();
        var accepted = 0;
        for (var i = 0; i < n; i++)
        {
            accepted += (await tokens.ValidateAsync(token, TokenKind.Access, CancellationToken.None)).Succeeded ? 1 : 0;
            accepted += (await authenticator.AuthenticateAsync(header, TokenKind.Access, CancellationToken.None)).Principal is null ? 0 : 1;
            await middleware.Invoke(context, next);
            accepted += context.GetTokenPrincipal() is null ? 0 : 1;
        }

        watch.Stop();
        await Task.Delay(200);
        var during = listener.Drain();
        var background = during.Where(u => u.Contains("/Revoked", StringComparison.OrdinalIgnoreCase) || u.Contains("revocation", StringComparison.OrdinalIgnoreCase)).ToList();
        Console.WriteLine($"STORAGE-PROOF control: a storage ping was seen as {control.Count} Azure SDK request(s): {string.Join(", ", control.Select(Path))}");
        Console.WriteLine($"STORAGE-PROOF {n} x (TokenService.ValidateAsync + BearerAuthenticator.AuthenticateAsync + middleware) = {3 * n} checks, {accepted} accepted, in {watch.Elapsed.TotalMilliseconds:0} ms");
        Console.WriteLine($"STORAGE-PROOF Azure SDK requests (Table Storage / Key Vault) during them: {during.Count} (of which background revocation reloads: {background.Count}){(during.Count > 0 ? ": " + string.Join(", ", during.Select(Path)) : string.Empty)}");
        var perRequest = during.Count - background.Count;
        Console.WriteLine(perRequest == 0 && accepted == 3 * n && control.Count > 0
            ? "STORAGE-PROOF PASS: no storage, Key Vault or configuration I/O on the protected path"
            : "STORAGE-PROOF FAIL");

        // What login and refresh cost in storage round trips (explains their time beyond hashing).
        var accounts = app.Get<JwtFunctions.Accounts.AccountService>();
        await accounts.RegisterAsync("proofuser", "correct horse battery staple", CancellationToken.None);
        await accounts.LoginAsync("proofuser", "correct horse battery staple", CancellationToken.None);
        await Task.Delay(200);
        listener.Drain();
        var pair = (await accounts.LoginAsync("proofuser", "correct horse battery staple", CancellationToken.None)).Tokens!;
        await Task.Delay(200);
        var login = listener.Drain();
        var refreshPrincipal = (await tokens.ValidateAsync(pair.RefreshToken, TokenKind.Refresh, CancellationToken.None)).Principal!;
        var refreshed = await accounts.RefreshAsync(refreshPrincipal, CancellationToken.None);
        await Task.Delay(200);
        var refresh = listener.Drain();
        Console.WriteLine($"STORAGE-PROOF one login: {login.Count} storage request(s): {string.Join(", ", login.Select(Path))}");
        Console.WriteLine($"STORAGE-PROOF one refresh ({(refreshed.Tokens is null ? "refused" : "rotated")}): {refresh.Count} storage request(s): {string.Join(", ", refresh.Select(Path))}");

        // Where a login's time beyond hashing goes: storage round trips timed by the SDK's own events.
        var phases = new List<(double Reads, double Hash, double Write, double Total)>();
        for (var i = 0; i < 12; i++)
        {
            listener.Timeline.Clear();
            var start = DateTime.UtcNow;
            await accounts.LoginAsync("proofuser", "correct horse battery staple", CancellationToken.None);
            var end = DateTime.UtcNow;
            var events = listener.Timeline.ToArray();
            var responses = events.Where(e => e.Name.StartsWith("Response", StringComparison.Ordinal)).OrderBy(e => e.At).ToList();
            var requests = events.Where(e => e.Name == "Request").OrderBy(e => e.At).ToList();
            if (responses.Count >= 3 && requests.Count >= 3)
            {
                var readsDone = responses[^2].At;
                var writeStart = requests[^1].At;
                phases.Add(((readsDone - start).TotalMilliseconds, (writeStart - readsDone).TotalMilliseconds,
                    (responses[^1].At - writeStart).TotalMilliseconds, (end - start).TotalMilliseconds));
            }
        }

        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
        }

        Console.WriteLine($"LOGIN-PHASES (median of {phases.Count}): start -> both reads answered {Median(phases.Select(p => p.Reads)):0.0} ms; "
            + $"hashing and token creation {Median(phases.Select(p => p.Hash)):0.0} ms; refresh-family insert ($batch) {Median(phases.Select(p => p.Write)):0.0} ms; total {Median(phases.Select(p => p.Total)):0.0} ms");

        // The login target (median <= hash + 15 ms) compares two medians; on this shared machine the
        // speed of the same PBKDF2 drifts by tens of ms between benchmarks run minutes apart. Here
        // each login is paired with a Verify of the same password at the same cost, interleaved, so
        // both medians come from the same minutes.
        var hasher = app.Get<JwtFunctions.Accounts.PasswordHasher>();
        var storedHash = hasher.Hash("correct horse battery staple");
        var verifies = new List<double>();
        var logins = new List<double>();
        for (var i = 0; i < 12; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var verified = hasher.Verify("correct horse battery staple", storedHash);
            verifies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            started = Stopwatch.GetTimestamp();
            var result = await accounts.LoginAsync("proofuser", "correct horse battery staple", CancellationToken.None);
            logins.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);

            // A refused login skips the storage write and would look cheap: it must not count.
            if (verified != JwtFunctions.Accounts.PasswordVerification.Succeeded || result.Tokens is null)
            {
                Console.WriteLine($"LOGIN-PAIRED FAIL: pair {i}: Verify {verified}, login {(result.Tokens is null ? "refused" : "issued tokens")}");
                return 1;
            }
        }

        var overhead = Median(logins) - Median(verifies);
        Console.WriteLine($"LOGIN-PAIRED (12 interleaved pairs): login median {Median(logins):0.0} ms, PasswordHasher.Verify median {Median(verifies):0.0} ms; "
            + $"login - verify = {overhead:0.0} ms (goal <= 15 ms: {(overhead <= 15 ? "met" : "MISSED")})");
        return perRequest == 0 && accepted == 3 * n && control.Count > 0 ? 0 : 1;
    }

    private static string Path(string request)
    {
        var space = request.IndexOf(' ');
        var (method, uri) = space > 0 ? (request[..space] + " ", request[(space + 1)..]) : (string.Empty, request);
        return method + (Uri.TryCreate(uri, UriKind.Absolute, out var u) ? u.AbsolutePath.Replace("/devstoreaccount1", string.Empty, StringComparison.Ordinal) : uri);
    }

    private sealed class AzureRequestListener : EventListener
    {
        private readonly ConcurrentQueue<string> _requests = new();

        public ConcurrentQueue<(DateTime At, string Name)> Timeline { get; } = new();

        public List<string> Drain()
        {
            var list = new List<string>();
            while (_requests.TryDequeue(out var uri))
            {
                list.Add(uri);
            }

            return list;
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Azure-Core")
            {
                EnableEvents(eventSource, EventLevel.Informational);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            Timeline.Enqueue((eventData.TimeStamp.ToUniversalTime(), eventData.EventName ?? "?"));
            if (eventData.EventName == "Request" && eventData.PayloadNames is { } names)
            {
                var index = names.IndexOf("uri");
                var method = names.IndexOf("method");
                _requests.Enqueue((method >= 0 ? eventData.Payload?[method] + " " : string.Empty) + (index >= 0 ? eventData.Payload?[index]?.ToString() ?? "?" : "?"));
            }
        }
    }
}
