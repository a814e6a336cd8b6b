using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using JwtFunctions.Middleware;
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
        var context = new FakeFunctionContext(new FakeFunctionDefinition("Protected", "JwtFunctions.Functions.Protected.Run"), app.Services);
        context.Attach(new FakeHttpRequestData(context, "http://127.0.0.1/api/v1.0/protected", ("Authorization", header[0])));
        FunctionExecutionDelegate next = _ => Task.CompletedTask;

        using var listener = new AzureRequestListener();
        // Control: the listener sees a real storage request.
        await app.Get<JwtFunctions.Storage.UserStore>().PingAsync(CancellationToken.None);
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
        return perRequest == 0 && accepted == 3 * n && control.Count > 0 ? 0 : 1;
    }

    private static string Path(string uri) => Uri.TryCreate(uri, UriKind.Absolute, out var u) ? u.AbsolutePath : uri;

    private sealed class AzureRequestListener : EventListener
    {
        private readonly ConcurrentQueue<string> _requests = new();

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
            if (eventData.EventName == "Request" && eventData.PayloadNames is { } names)
            {
                var index = names.IndexOf("uri");
                _requests.Enqueue(index >= 0 ? eventData.Payload?[index]?.ToString() ?? "?" : "?");
            }
        }
    }
}
