using System.Reflection;
using JwtFunctions.Authentication;
using JwtFunctions.SigningKeys;
using JwtFunctions.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.Benchmarks;

/// <summary>
/// Where TokenService's bytes per validation go beyond JsonWebTokenHandler alone: the same handler
/// call with the service's own (private, read by reflection) validation parameters, then the
/// service's post-checks, then the Bearer layer. Bytes per call from GC.GetAllocatedBytesForCurrentThread
/// over many calls, after warm-up; a diagnostic, not a benchmark.
/// </summary>
public static class AllocationBreakdown
{
    public static async Task<int> RunAsync()
    {
        await using var app = await AppFixture.StartAsync();
        var tokens = app.Get<TokenService>();
        var authenticator = app.Get<BearerAuthenticator>();
        var keys = (await tokens.GetKeysAsync(CancellationToken.None))!;
        var token = tokens.CreateAccessToken(keys, "benchuser", Guid.NewGuid().ToString("N")).Value;
        string[] header = ["Bearer " + token];

        var serviceParameters = (TokenValidationParameters)typeof(TokenService)
            .GetField("_accessParameters", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(tokens)!;
        var handler = new JsonWebTokenHandler { MapInboundClaims = false, MaximumTokenSizeInBytes = TokenService.MaxTokenLength };
        var key = new SymmetricSecurityKey(app.KeyBytes) { KeyId = LocalSigningKeySource.KeyId };
        var staticKeyParameters = serviceParameters.Clone();
        staticKeyParameters.IssuerSigningKeyResolver = null;
        staticKeyParameters.IssuerSigningKey = key;
        var plainParameters = new TokenValidationParameters
        {
            ValidIssuer = tokens.Options.Issuer,
            ValidAudience = tokens.Options.Audience,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidTypes = [TokenTypes.Access],
            IssuerSigningKey = key,
            ClockSkew = tokens.Options.ClockSkew,
        };

        const int n = 20_000;
        async Task<double> Measure(string label, Func<Task> action)
        {
            for (var i = 0; i < 2_000; i++)
            {
                await action();
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            for (var i = 0; i < n; i++)
            {
                await action();
            }

            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(start);
            var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)n;
            Console.WriteLine($"ALLOC {label,-78} {bytes,7:0} B/call  {elapsed.TotalMicroseconds / n,6:0.00} us/call");
            return bytes;
        }

        await Measure("JsonWebTokenHandler, plain parameters (IssuerSigningKey)", () => handler.ValidateTokenAsync(token, plainParameters));
        await Measure("JsonWebTokenHandler, TokenService's parameters but a static IssuerSigningKey", () => handler.ValidateTokenAsync(token, staticKeyParameters));
        await Measure("JsonWebTokenHandler, TokenService's own parameters (IssuerSigningKeyResolver)", () => handler.ValidateTokenAsync(token, serviceParameters));
        var jwt = (JsonWebToken)(await handler.ValidateTokenAsync(token, serviceParameters)).SecurityToken;
        var claimTypesCheck = typeof(TokenService).GetMethod("RegisteredClaimsAreStrings", BindingFlags.NonPublic | BindingFlags.Static)!
            .CreateDelegate<Func<string, bool>>();
        await Measure("  post-check on the validated token: TryGetHeaderValue<object>(\"crit\")", () => { jwt.TryGetHeaderValue<object>("crit", out _); return Task.CompletedTask; });
        await Measure("  post-check: TryGetPayloadValue<long>(\"iat\")", () => { jwt.TryGetPayloadValue<long>("iat", out _); return Task.CompletedTask; });
        await Measure("  post-check: TryGetPayloadValue<long>(\"gen\")", () => { jwt.TryGetPayloadValue<long>("gen", out _); return Task.CompletedTask; });
        await Measure("  post-check: TryGetPayloadValue<string> sub+jti+sid", () => { jwt.TryGetPayloadValue<string>("sub", out _); jwt.TryGetPayloadValue<string>("jti", out _); jwt.TryGetPayloadValue<string>("sid", out _); return Task.CompletedTask; });
        await Measure("  post-check: RegisteredClaimsAreStrings (token span, stack buffer, Utf8JsonReader)", () => { claimTypesCheck(token); return Task.CompletedTask; });
        await Measure("  post-check: ValidTo", () => { _ = jwt.ValidTo; return Task.CompletedTask; });
        await Measure("  post-check: new TokenPrincipal(...)", () => { _ = new TokenPrincipal("benchuser", "0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef", TokenKind.Access, DateTimeOffset.UtcNow, 0); return Task.CompletedTask; });
        async Task<JsonWebToken> Fresh() => (JsonWebToken)(await handler.ValidateTokenAsync(token, serviceParameters)).SecurityToken;
        await Measure("handler (service parameters) + crit on the fresh token", async () => (await Fresh()).TryGetHeaderValue<object>("crit", out _));
        await Measure("handler (service parameters) + iat on the fresh token", async () => (await Fresh()).TryGetPayloadValue<long>("iat", out _));
        await Measure("handler (service parameters) + sub on the fresh token", async () => (await Fresh()).TryGetPayloadValue<string>("sub", out _));
        await Measure("handler (service parameters) + ValidTo on the fresh token", async () => _ = (await Fresh()).ValidTo);
        await Measure("handler (service parameters) + claim-type check", async () => { await Fresh(); claimTypesCheck(token); });
        await Measure("TokenService.ValidateAsync (+ crit/iat/claim-type checks, TokenPrincipal)", async () => await tokens.ValidateAsync(token, TokenKind.Access, CancellationToken.None));
        await Measure("BearerAuthenticator.ExtractToken alone", () => { BearerAuthenticator.ExtractToken(header, out _); return Task.CompletedTask; });
        await Measure("BearerAuthenticator.AuthenticateAsync (+ header parse, revocation lookup)", async () => await authenticator.AuthenticateAsync(header, TokenKind.Access, CancellationToken.None));
        return 0;
    }
}
