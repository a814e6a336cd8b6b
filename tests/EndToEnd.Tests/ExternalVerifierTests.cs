using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// The real app with <c>Jwt__Algorithm=ES256</c> and its private keys (PEM PKCS#8) in the stand-in
/// Key Vault, verified by clients nobody here wrote, each configured with the issuer URL alone:
/// ASP.NET Core JwtBearer (Authority), npm <c>jose</c> (createRemoteJWKSet), PyJWT (PyJWKClient).
/// </summary>
public sealed class Es256AppFixture : IAsyncLifetime
{
    /// <summary>A new version is published at once and signs only after this (SigningKeys__ActivationDelay).</summary>
    public static readonly TimeSpan ActivationDelay = TimeSpan.FromSeconds(20);

    public TestLog Log { get; } = new();

    public KeyVaultApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await KeyVaultApp.StartHealthyAsync(
        Log,
        "health 200 with ES256 keys from the vault",
        KeyVaultApp.StartAsync(Log, app => app.ExtraSettings["SigningKeys__ActivationDelay"] = ActivationDelay.ToString("c"), algorithm: "ES256"));

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class Es256AppCollection : ICollectionFixture<Es256AppFixture>
{
    public const string Name = "Functions app with ES256 keys in Key Vault";
}

[Collection(Es256AppCollection.Name)]
public sealed class ExternalVerifierTests : IDisposable
{
    private const string Audience = "jwtfunctions-api";
    private readonly Es256AppFixture _fixture;

    public ExternalVerifierTests(Es256AppFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _fixture.Log.Attach(output);
    }

    private KeyVaultApp App => _fixture.App;

    private string Issuer => App.Issuer!;

    public void Dispose() => _fixture.Log.Attach(null);

    [Fact]
    public async Task DiscoveryNamesTheIssuerItsJwksAndOnlyEs256WithCacheHeaders()
    {
        using var response = await App.Client.GetAsync("api/.well-known/openid-configuration");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("public, max-age=3600", response.Headers.CacheControl?.ToString());
        Assert.Equal(Issuer, body.GetProperty("issuer").GetString());
        Assert.Equal(Issuer + "/.well-known/jwks.json", body.GetProperty("jwks_uri").GetString());
        Assert.Equal(Issuer + "/v1.0/login", body.GetProperty("token_endpoint").GetString());
        Assert.Equal(Issuer + "/v1.0/revoke", body.GetProperty("revocation_endpoint").GetString());
        Assert.Equal(["ES256"], body.GetProperty("id_token_signing_alg_values_supported").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(["none"], body.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task JwksPublishesThePublicKeyOfTheSigningVersionUnderItsThumbprintAndNothingPrivate()
    {
        var (_, tokens) = await App.NewSessionAsync();
        using var response = await App.Client.GetAsync("api/.well-known/jwks.json");
        var keys = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("keys").EnumerateArray().ToList();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("public, max-age=300", response.Headers.CacheControl?.ToString());
        Assert.NotEmpty(keys);
        foreach (var key in keys)
        {
            Assert.Equal(["alg", "crv", "kid", "kty", "use", "x", "y"], key.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Equal(("EC", "P-256", "ES256", "sig"), (key.GetProperty("kty").GetString(), key.GetProperty("crv").GetString(), key.GetProperty("alg").GetString(), key.GetProperty("use").GetString()));
        }

        // The kid is the RFC 7638 thumbprint of one of the PEMs put in the vault, computed here independently.
        var thumbprints = App.KeyValues.Values.Select(ThumbprintOf).ToList();
        Assert.Contains(tokens.AccessKeyId, thumbprints);
        Assert.Contains(keys, k => k.GetProperty("kid").GetString() == tokens.AccessKeyId);
    }

    [Fact]
    public async Task AspNetCoreJwtBearerWithTheAuthorityAloneAcceptsOurTokenAndRefusesATamperedOne()
    {
        await using var api = await JwtBearerApi.StartAsync(Issuer, Audience);
        var (username, tokens) = await App.NewSessionAsync();

        Assert.Equal((HttpStatusCode.OK, username), await api.CallAsync(tokens.Access));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CallAsync(TokenForge.WithPayloadClaim(tokens.Access, "sub", "mallory"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CallAsync(TokenForge.WithFlippedSignature(tokens.Access))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CallAsync(ConfusedHs256(tokens.Access))).Status);
    }

    [Fact]
    public async Task NodeJoseVerifiesFromTheDiscoveryDocumentAlone()
    {
        var (username, tokens) = await App.NewSessionAsync();

        var lines = await RunVerifierAsync("node", Path.Combine(VerifierDirectory, "jose-verify.mjs"), tokens.Access, TokenForge.WithPayloadClaim(tokens.Access, "sub", "mallory"), tokens.Refresh, ConfusedHs256(tokens.Access));

        Assert.Equal($"ok {username} {tokens.AccessKeyId}", lines[0]);
        Assert.StartsWith("refused ERR_JWS_SIGNATURE_VERIFICATION_FAILED", lines[1]);
        Assert.StartsWith("refused ERR_JWT_CLAIM_VALIDATION_FAILED", lines[2]);
        Assert.StartsWith("refused ", lines[3]);
    }

    [Fact]
    public async Task PyJwtPyJwkClientVerifiesFromTheDiscoveryDocumentAlone()
    {
        var (username, tokens) = await App.NewSessionAsync();
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

        var lines = await RunVerifierAsync(python, Path.Combine(VerifierDirectory, "pyjwt_verify.py"), tokens.Access, TokenForge.WithPayloadClaim(tokens.Access, "sub", "mallory"), tokens.Refresh, ConfusedHs256(tokens.Access));

        Assert.Equal($"ok {username} {tokens.AccessKeyId}", lines[0]);
        Assert.Equal("refused InvalidSignatureError", lines[1]);
        Assert.Equal("refused InvalidTokenError", lines[2]);
        Assert.StartsWith("refused ", lines[3]);
    }

    /// <summary>Case -> the fixed error_description the app answers with.</summary>
    public static TheoryData<string, string> Es256Corpus => new()
    {
        { "HS256 signed with the public key PEM as the secret", "The token's algorithm is not accepted" },
        { "HS256 signed with the public key DER as the secret", "The token's algorithm is not accepted" },
        { "alg none", "The token's algorithm is not accepted" },
        { "ES384 with a P-384 key", "The token's algorithm is not accepted" },
        { "RS256 with an attacker's key", "The token's algorithm is not accepted" },
        { "ES256 with a key not in the JWKS, its own kid", "The token's signing key is not known" },
        { "ES256 with a key not in the JWKS, our kid", "The token's signature is invalid" },
        { "ES256 with the key of a disabled version, its kid", "The token's signing key is not known" },
        { "payload tampered", "The token's signature is invalid" },
        { "refresh token as access token", "The token's audience is invalid" }, // refresh tokens are addressed to the issuer (RFC 8725 §3.12)
    };

    [Theory]
    [MemberData(nameof(Es256Corpus))]
    public async Task TheAppRefusesEveryForgedTokenWhenEs256IsConfigured(string @case, string description)
    {
        var (username, tokens) = await App.NewSessionAsync();
        var token = await ForgeAsync(@case, username, tokens);

        using var response = await App.ProtectedAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal($"Bearer error=\"invalid_token\", error_description=\"{description}\"", response.Headers.WwwAuthenticate.ToString());

        // The control: the victim's own token still works.
        using var control = await App.ProtectedAsync(tokens.Access);
        Assert.Equal(HttpStatusCode.OK, control.StatusCode);
    }

    [Fact]
    public async Task AcrossARotationJwtBearerKeepsAcceptingOldAndNewTokensAfterItsMetadataRefresh()
    {
        await using var api = await JwtBearerApi.StartAsync(Issuer, Audience);
        var (username, before) = await App.NewSessionAsync();
        Assert.Equal((HttpStatusCode.OK, username), await api.CallAsync(before.Access));

        // 1. A new version: published at once, not yet signing.
        var added = App.AddKeyVersion();
        var newKid = ThumbprintOf(App.KeyValues[added]);
        await KeyVaultApp.WaitUntilAsync("the new version in the JWKS", TimeSpan.FromSeconds(40), async () => (await JwksKidsAsync()).Contains(newKid));
        var (_, during) = await App.NewSessionAsync();
        Assert.Equal(before.AccessKeyId, during.AccessKeyId);

        // 2. The verifier refreshes its metadata (as it does on its own schedule) and sees the new key.
        Assert.True(await api.RefreshMetadataUntilAsync(newKid, TimeSpan.FromSeconds(20)), "JwtBearer never saw the new key");

        // 3. After the activation delay the app signs with the new version; both generations verify.
        IssuedTokens? after = null;
        await KeyVaultApp.WaitUntilAsync("tokens signed with the new version", TimeSpan.FromSeconds(60), async () =>
        {
            using var login = await App.LoginAsync(username);
            after = await KeyVaultApp.ReadTokensAsync(login);
            return after.AccessKeyId == newKid;
        });

        Assert.Equal((HttpStatusCode.OK, username), await api.CallAsync(after!.Access));
        Assert.Equal((HttpStatusCode.OK, username), await api.CallAsync(before.Access));
        Assert.Equal(0, api.MetadataRequestsForUnknownKid);
        using var old = await App.ProtectedAsync(before.Access);
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
    }

    private async Task<string> ForgeAsync(string @case, string username, IssuedTokens tokens)
    {
        var jwks = JsonDocument.Parse(await App.Client.GetStringAsync("api/.well-known/jwks.json")).RootElement;
        var jwk = jwks.GetProperty("keys").EnumerateArray().First(k => k.GetProperty("kid").GetString() == tokens.AccessKeyId);
        using var publicKey = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.GetProperty("x").GetString()), Y = Base64UrlEncoder.DecodeBytes(jwk.GetProperty("y").GetString()) },
        });
        var claims = TokenForge.Claims(sub: username);
        claims["iss"] = Issuer;
        var kid = tokens.AccessKeyId;
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa = RSA.Create(2048);

        switch (@case)
        {
            case "HS256 signed with the public key PEM as the secret":
                return TokenForge.SignWithHmacSha256(TokenForge.Header(kid: kid, alg: "HS256"), claims, Encoding.ASCII.GetBytes(publicKey.ExportSubjectPublicKeyInfoPem()));
            case "HS256 signed with the public key DER as the secret":
                return TokenForge.SignWithHmacSha256(TokenForge.Header(kid: kid, alg: "HS256"), claims, publicKey.ExportSubjectPublicKeyInfo());
            case "alg none":
                return TokenForge.Unsigned(TokenForge.Header(kid: kid, alg: "none"), claims);
            case "ES384 with a P-384 key":
                return TokenForge.SignEcdsa(TokenForge.Header(kid: kid, alg: "ES384"), claims, p384, HashAlgorithmName.SHA384);
            case "RS256 with an attacker's key":
                return TokenForge.SignRs256(TokenForge.Header(kid: kid, alg: "RS256"), claims, rsa);
            case "ES256 with a key not in the JWKS, its own kid":
                return TokenForge.SignEs256(TokenForge.Header(kid: TokenForge.EcThumbprint(attacker), alg: "ES256"), claims, attacker);
            case "ES256 with a key not in the JWKS, our kid":
                return TokenForge.SignEs256(TokenForge.Header(kid: kid, alg: "ES256"), claims, attacker);
            case "ES256 with the key of a disabled version, its kid":
                {
                    using var disabled = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                    App.Vault.AddVersion(App.SecretName, disabled.ExportPkcs8PrivateKeyPem(), enabled: false);
                    return TokenForge.SignEs256(TokenForge.Header(kid: TokenForge.EcThumbprint(disabled), alg: "ES256"), claims, disabled);
                }

            case "payload tampered":
                return TokenForge.WithPayloadClaim(tokens.Access, "sub", "mallory");
            case "refresh token as access token":
                return tokens.Refresh;
            default:
                throw new ArgumentOutOfRangeException(nameof(@case), @case, null);
        }
    }

    /// <summary>The access token's header and payload, "signed" HS256 with the app's public key (PEM) as the HMAC secret.</summary>
    private string ConfusedHs256(string access)
    {
        var jwks = JsonDocument.Parse(App.Client.GetStringAsync("api/.well-known/jwks.json").GetAwaiter().GetResult()).RootElement;
        var jwk = jwks.GetProperty("keys")[0];
        using var publicKey = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.GetProperty("x").GetString()), Y = Base64UrlEncoder.DecodeBytes(jwk.GetProperty("y").GetString()) },
        });
        var header = TokenForge.Encode(new Dictionary<string, object?> { ["alg"] = "HS256", ["typ"] = "at+jwt", ["kid"] = jwk.GetProperty("kid").GetString() });
        return TokenForge.SignSegmentsWithHmac(header, access.Split('.')[1], Encoding.ASCII.GetBytes(publicKey.ExportSubjectPublicKeyInfoPem()), HashAlgorithmName.SHA256);
    }

    private async Task<HashSet<string>> JwksKidsAsync()
    {
        var jwks = JsonDocument.Parse(await App.Client.GetStringAsync("api/.well-known/jwks.json")).RootElement;
        return [.. jwks.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!)];
    }

    private static string ThumbprintOf(string pem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return TokenForge.EcThumbprint(key);
    }

    private static string VerifierDirectory => Path.Combine(AppBuild.RepositoryRoot, "tests", "EndToEnd.Tests", "Verifiers");

    private async Task<string[]> RunVerifierAsync(string program, string script, params string[] tokens)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = AppBuild.RepositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[script, Issuer, Audience, .. tokens])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        _fixture.Log.Write($"{Path.GetFileName(script)}: {string.Join(" | ", lines)} {await stderr}");
        Assert.True(process.ExitCode == 0, $"{program} {Path.GetFileName(script)} exited {process.ExitCode}: {await stderr}");
        Assert.Equal(tokens.Length, lines.Length);
        return lines;
    }

    /// <summary>An ASP.NET Core minimal API that knows nothing but the issuer (Authority) and audience.</summary>
    private sealed class JwtBearerApi : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly HttpClient _client;
        private int _unknownKid;

        private JwtBearerApi(WebApplication app, Uri address)
        {
            _app = app;
            _client = new HttpClient { BaseAddress = address };
        }

        /// <summary>Times JwtBearer met a kid it did not know (and so had to refetch metadata mid-request).</summary>
        public int MetadataRequestsForUnknownKid => _unknownKid;

        public static async Task<JwtBearerApi> StartAsync(string issuer, string audience)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            JwtBearerApi? self = null;
            builder.Services.AddAuthentication().AddJwtBearer(o =>
            {
                o.Authority = issuer;
                o.Audience = audience;
                o.RequireHttpsMetadata = false; // loopback http in the test; https in any real deployment
                o.Events = new JwtBearerEvents
                {
                    OnAuthenticationFailed = context =>
                    {
                        if (context.Exception is SecurityTokenSignatureKeyNotFoundException)
                        {
                            Interlocked.Increment(ref self!._unknownKid);
                        }

                        return Task.CompletedTask;
                    },
                };
            });
            builder.Services.AddAuthorization();
            var app = builder.Build();
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapGet("/whoami", (System.Security.Claims.ClaimsPrincipal user) => user.FindFirst("sub")?.Value ?? user.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value).RequireAuthorization();
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            self = new JwtBearerApi(app, new Uri(address));
            return self;
        }

        public async Task<(HttpStatusCode Status, string? Subject)> CallAsync(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await _client.SendAsync(request);
            return (response.StatusCode, response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : null);
        }

        /// <summary>Asks JwtBearer's configuration manager to refresh until its keys include <paramref name="kid"/>.</summary>
        public async Task<bool> RefreshMetadataUntilAsync(string kid, TimeSpan timeout)
        {
            var options = _app.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < timeout)
            {
                options.ConfigurationManager!.RequestRefresh();
                var configuration = await options.ConfigurationManager.GetConfigurationAsync(CancellationToken.None);
                if (configuration.SigningKeys.Any(k => k.KeyId == kid))
                {
                    return true;
                }

                await Task.Delay(500);
            }

            return false;
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
