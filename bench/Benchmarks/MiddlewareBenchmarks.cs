using BenchmarkDotNet.Attributes;
using JwtFunctions.Authentication;
using JwtFunctions.Endpoints;
using JwtFunctions.TestSupport;
using JwtFunctions.Tokens;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;

namespace JwtFunctions.Benchmarks;

/// <summary>
/// One invocation of the real BearerAuthenticationMiddleware (constructed from the app's container),
/// without the function: a valid token (principal set, next called) and an invalid one (401 with
/// the RFC 6750 challenge written as the invocation result).
/// </summary>
[Config(typeof(MicroConfig))]
public class MiddlewareBenchmarks
{
    private static readonly FunctionExecutionDelegate Next = _ => Task.CompletedTask;

    private AppFixture _app = null!;
    private BearerAuthenticationMiddleware _middleware = null!;
    private FakeFunctionContext _valid = null!;
    private FakeFunctionContext _invalid = null!;

    [GlobalSetup]
    public void Setup()
    {
        _app = AppFixture.StartAsync().GetAwaiter().GetResult();
        _middleware = ActivatorUtilities.CreateInstance<BearerAuthenticationMiddleware>(_app.Services);
        var tokens = _app.Get<TokenService>();
        var keys = tokens.GetKeysAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult()!;
        var token = tokens.CreateAccessToken(keys, "benchuser", Guid.NewGuid().ToString("N")).Value;
        // Same token with the signature's first character changed: well-formed, wrongly signed.
        var lastDot = token.LastIndexOf('.');
        var tampered = token[..(lastDot + 1)] + (token[lastDot + 1] == 'A' ? 'B' : 'A') + token[(lastDot + 2)..];

        var definition = new FakeFunctionDefinition("Protected", "JwtFunctions.Endpoints.Protected.Run");
        _valid = Context(definition, token);
        _invalid = Context(definition, tampered);

        _middleware.Invoke(_valid, Next).GetAwaiter().GetResult();
        if (_valid.GetTokenPrincipal() is null || _valid.InvocationResult is not null)
        {
            throw new InvalidOperationException("The middleware refused the valid benchmark token.");
        }

        _middleware.Invoke(_invalid, Next).GetAwaiter().GetResult();
        if (_invalid.InvocationResult is not FakeHttpResponse { StatusCode: System.Net.HttpStatusCode.Unauthorized } response
            || !response.Headers.TryGetValues("WWW-Authenticate", out _))
        {
            throw new InvalidOperationException("The middleware did not answer the tampered token with a 401 challenge.");
        }
    }

    private FakeFunctionContext Context(FunctionDefinition definition, string token)
    {
        var context = new FakeFunctionContext(definition, _app.Services);
        context.Attach(new FakeHttpRequest(context, "GET", url: "http://127.0.0.1/api/v1.0/protected", headers: [("Authorization", "Bearer " + token)]));
        return context;
    }

    [GlobalCleanup]
    public void Cleanup() => _app.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Description = "middleware: valid token")]
    public Task MiddlewareValid() => _middleware.Invoke(_valid, Next);

    [Benchmark(Description = "middleware: invalid token (401)")]
    public Task MiddlewareInvalid() => _middleware.Invoke(_invalid, Next);
}
