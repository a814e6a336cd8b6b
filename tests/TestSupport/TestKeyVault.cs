using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Xunit;

namespace JwtFunctions.TestSupport;

/// <summary>
/// A Key Vault stand-in speaking the secrets REST API over HTTPS on loopback, for the real
/// <c>SecretClient</c>: <c>GET /secrets/{name}</c>, <c>/secrets/{name}/{version}</c>,
/// <c>/secrets/{name}/versions</c> with <c>nextLink</c> paging, and the 401 bearer challenge the
/// client expects first. It also serves an App Service managed-identity token endpoint over http,
/// so <c>DefaultAzureCredential</c> takes its real managed-identity path.
/// The client reaches it as <see cref="VaultUri"/> (a <c>*.vault.azure.net</c> name, so the SDK's
/// challenge-resource verification stays on) through a transport that connects that name to
/// 127.0.0.1 and pins the self-signed certificate by thumbprint; a separate process (the worker in
/// the end-to-end tests) reaches it through a <see cref="ConnectProxy"/> with <see cref="CertificatePem"/>
/// as its trusted root and <see cref="IdentityEnvironment"/> as its managed-identity settings.
/// </summary>
public sealed class TestKeyVault : IAsyncLifetime
{
    public const string IdentityHeader = "test-identity-header";

    private readonly ConcurrentDictionary<string, List<Version>> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly string _accessToken = "kv-test-token-" + Guid.NewGuid().ToString("N");
    private WebApplication? _app;
    private X509Certificate2? _certificate;
    private int _versionCounter;

    public Uri VaultUri { get; } = new("https://jwtfunctions-test.vault.azure.net/");

    public int HttpsPort { get; private set; }

    public int IdentityPort { get; private set; }

    /// <summary>
    /// Whether <see cref="InitializeAsync"/> sets <c>IDENTITY_ENDPOINT</c> and <c>IDENTITY_HEADER</c> for this
    /// whole process (what an in-process <c>DefaultAzureCredential</c> reads). Default true; a test
    /// that hands <see cref="IdentityEnvironment"/> to a child process turns it off, so the variables
    /// do not leak into other workers started by the same test run.
    /// </summary>
    public bool SetProcessIdentityEnvironment { get; init; } = true;

    /// <summary>The App Service managed-identity settings that lead a credential to this stand-in.</summary>
    public IReadOnlyDictionary<string, string> IdentityEnvironment => new Dictionary<string, string>
    {
        ["IDENTITY_ENDPOINT"] = $"http://127.0.0.1:{IdentityPort.ToString(CultureInfo.InvariantCulture)}/msi/token",
        ["IDENTITY_HEADER"] = IdentityHeader,
    };

    /// <summary>The self-signed server certificate (public part only) as PEM, for a trust store such as <c>SSL_CERT_FILE</c>.</summary>
    public string CertificatePem => _certificate?.ExportCertificatePem() ?? throw new InvalidOperationException("The vault is not started.");

    /// <summary>How the vault answers: normally, by dropping connections (outage), 403, or 401 to a valid token.</summary>
    public VaultMode Mode { get; set; } = VaultMode.Normal;

    /// <summary>Versions per page of <c>/versions</c>; small, so paging is exercised.</summary>
    public int PageSize { get; set; } = 2;

    public int UnauthenticatedRequests;
    public int SecretValueReads;
    public int VersionListReads;
    public int TokenRequests;

    /// <summary>Adds a version of <paramref name="name"/>; returns its version id (the token's <c>kid</c>).</summary>
    public string AddVersion(string name, string value, bool enabled = true, DateTimeOffset? expires = null, DateTimeOffset? notBefore = null)
    {
        var n = Interlocked.Increment(ref _versionCounter);
        var version = new Version(n.ToString("x32", CultureInfo.InvariantCulture), value, enabled, DateTimeOffset.UtcNow.AddSeconds(n), expires, notBefore);
        var list = _secrets.GetOrAdd(name, _ => []);
        lock (list)
        {
            list.Add(version);
        }

        return version.Id;
    }

    public void Disable(string name, string versionId)
    {
        var list = _secrets[name];
        lock (list)
        {
            var index = list.FindIndex(v => v.Id == versionId);
            list[index] = list[index] with { Enabled = false };
        }
    }

    /// <summary>The transport a test's <c>SecretClient</c> uses: <see cref="VaultUri"/> -> 127.0.0.1, certificate pinned.</summary>
    public HttpPipelineTransport CreateTransport()
    {
        var thumbprint = _certificate!.GetCertHashString(HashAlgorithmName.SHA256);
        var port = HttpsPort;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && string.Equals(certificate.GetCertHashString(HashAlgorithmName.SHA256), thumbprint, StringComparison.OrdinalIgnoreCase),
            },
        };
        return new HttpClientTransport(new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) });
    }

    public async Task InitializeAsync()
    {
        _certificate = CreateCertificate(VaultUri.Host);
        HttpsPort = FreePort.Next();
        IdentityPort = FreePort.Next();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, HttpsPort, listen => listen.UseHttps(_certificate));
            kestrel.Listen(IPAddress.Loopback, IdentityPort);
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync();

        // The managed-identity path of DefaultAzureCredential (App Service flavour) reads these.
        if (SetProcessIdentityEnvironment)
        {
            foreach (var (name, value) in IdentityEnvironment)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _certificate?.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (context.Connection.LocalPort == IdentityPort)
        {
            await ServeIdentityTokenAsync(context);
            return;
        }

        if (Mode == VaultMode.Down)
        {
            context.Abort();
            return;
        }

        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref UnauthenticatedRequests);
            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate =
                "Bearer authorization=\"https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47\", resource=\"https://vault.azure.net\"";
            return;
        }

        if (authorization != "Bearer " + _accessToken)
        {
            await ErrorAsync(context, 401, "Unauthorized", "bad token");
            return;
        }

        if (Mode == VaultMode.Forbidden)
        {
            await ErrorAsync(context, 403, "Forbidden", "Caller is not authorized to perform action on resource.");
            return;
        }

        if (Mode == VaultMode.Unauthorized)
        {
            // As Key Vault answers a token it no longer accepts (identity deleted, another tenant):
            // 401 with the challenge again, so the client re-authenticates once before giving up.
            context.Response.Headers.WWWAuthenticate =
                "Bearer authorization=\"https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47\", resource=\"https://vault.azure.net\"";
            await ErrorAsync(context, 401, "Unauthorized", "AKV10032: Invalid issuer.");
            return;
        }

        var segments = request.Path.Value!.Trim('/').Split('/');
        if (segments.Length < 2 || segments[0] != "secrets" || !_secrets.TryGetValue(segments[1], out var versions))
        {
            await ErrorAsync(context, 404, "SecretNotFound", "A secret with (name/id) was not found in this key vault.");
            return;
        }

        Version[] snapshot;
        lock (versions)
        {
            snapshot = [.. versions];
        }

        var name = segments[1];
        if (segments.Length == 3 && segments[2] == "versions")
        {
            Interlocked.Increment(ref VersionListReads);
            var skip = int.TryParse(request.Query["$skiptoken"], out var s) ? s : 0;
            var page = snapshot.Skip(skip).Take(PageSize).Select(v => new JsonObject
            {
                ["id"] = $"{VaultUri}secrets/{name}/{v.Id}",
                ["attributes"] = Attributes(v),
            });
            var body = new JsonObject { ["value"] = new JsonArray([.. page]) };
            body["nextLink"] = skip + PageSize < snapshot.Length
                ? $"{VaultUri}secrets/{name}/versions?api-version={request.Query["api-version"]}&$skiptoken={skip + PageSize}"
                : null;
            await JsonAsync(context, 200, body);
            return;
        }

        var wanted = segments.Length == 3 ? snapshot.FirstOrDefault(v => v.Id == segments[2]) : snapshot.LastOrDefault();
        if (wanted is null)
        {
            await ErrorAsync(context, 404, "SecretNotFound", "A secret with (name/id) was not found in this key vault.");
            return;
        }

        Interlocked.Increment(ref SecretValueReads);
        await JsonAsync(context, 200, new JsonObject
        {
            ["value"] = wanted.Value,
            ["id"] = $"{VaultUri}secrets/{name}/{wanted.Id}",
            ["attributes"] = Attributes(wanted),
        });
    }

    private async Task ServeIdentityTokenAsync(HttpContext context)
    {
        if (context.Request.Headers["X-IDENTITY-HEADER"] != IdentityHeader)
        {
            await ErrorAsync(context, 401, "Unauthorized", "missing identity header");
            return;
        }

        Interlocked.Increment(ref TokenRequests);
        await JsonAsync(context, 200, new JsonObject
        {
            ["access_token"] = _accessToken,
            ["expires_on"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["resource"] = context.Request.Query["resource"].ToString(),
            ["token_type"] = "Bearer",
            ["client_id"] = Guid.Empty.ToString(),
        });
    }

    private static JsonObject Attributes(Version v) => new()
    {
        ["enabled"] = v.Enabled,
        ["created"] = v.Created.ToUnixTimeSeconds(),
        ["updated"] = v.Created.ToUnixTimeSeconds(),
        ["exp"] = v.Expires?.ToUnixTimeSeconds(),
        ["nbf"] = v.NotBefore?.ToUnixTimeSeconds(),
        ["recoveryLevel"] = "Recoverable+Purgeable",
    };

    private static Task ErrorAsync(HttpContext context, int status, string code, string message) =>
        JsonAsync(context, status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });

    private static async Task JsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString(new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull }));
    }

    private static X509Certificate2 CreateCertificate(string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), password: null);
    }

    private sealed record Version(string Id, string Value, bool Enabled, DateTimeOffset Created, DateTimeOffset? Expires, DateTimeOffset? NotBefore);
}

public enum VaultMode
{
    Normal,
    Down,
    Forbidden,

    /// <summary>Every authenticated request gets 401 with a fresh challenge.</summary>
    Unauthorized,
}
