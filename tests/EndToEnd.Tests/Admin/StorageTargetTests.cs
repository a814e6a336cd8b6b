using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

using JwtFunctions.AdminTool;

namespace JwtFunctions.EndToEnd.Tests.Admin;

/// <summary>How the tool reports storage it cannot use: one fixed message and exit code per kind, no stack trace.</summary>
public sealed class StorageTargetTests(ITestOutputHelper output)
{
    [Fact]
    public async Task UnreachableStorageExitsWith1AndSaysSo()
    {
        var run = await AdminTool.RunAsync(["users", "list", "--connection-string", Azurite.ConnectionStringFor(FreePort.Next())]);
        output.WriteLine(run.ToString());

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("Table Storage of account 'devstoreaccount1' could not be reached", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Out);
    }

    [Fact]
    public async Task ForbiddenWithTheCallersAzureSignInNamesTheRoleAndAccountWith7()
    {
        await using var storage = await ForbiddingTableService.StartAsync();

        var run = await AdminTool.RunAsync(["users", "list", "--table-endpoint", $"https://{ForbiddingTableService.Host}"], environment: storage.ToolEnvironment);
        output.WriteLine(run.ToString());

        Assert.Equal(ExitCodes.AccessDenied, run.ExitCode);
        Assert.Contains(
            $"your identity needs the 'Storage Table Data Contributor' role on storage account '{ForbiddingTableService.Account}'",
            run.Error,
            StringComparison.Ordinal);
        Assert.Contains("403 AuthorizationPermissionMismatch", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.True(storage.BearerRequests > 0, "The tool must have called storage with the token of its Azure sign-in.");
    }
}

/// <summary>
/// A Table Storage account that refuses everyone as Azure does a principal without a data role:
/// 403 <c>AuthorizationPermissionMismatch</c> (x-ms-error-code and the OData error body of the Table
/// service REST API). The tool reaches it as <c>https://stadmintest.table.core.windows.net</c> through a
/// <see cref="ConnectProxy"/> (<c>HTTPS_PROXY</c>) with the self-signed certificate as its trusted
/// root (<c>SSL_CERT_FILE</c>), and gets its token from an App Service managed-identity endpoint
/// served here (<c>IDENTITY_ENDPOINT</c>): the real <c>DefaultAzureCredential</c> and bearer-token path.
/// </summary>
public sealed class ForbiddingTableService : IAsyncDisposable
{
    public const string Account = "stadmintest";
    public const string Host = Account + ".table.core.windows.net";
    private const string IdentityHeader = "admin-test-identity-header";
    private const string AccessToken = "admin-test-token";

    private readonly WebApplication _app;
    private readonly ConnectProxy _proxy;
    private readonly string _directory;
    private int _bearerRequests;

    private ForbiddingTableService(WebApplication app, ConnectProxy proxy, string directory, int identityPort)
    {
        _app = app;
        _proxy = proxy;
        _directory = directory;
        ToolEnvironment = new Dictionary<string, string>
        {
            ["HTTPS_PROXY"] = proxy.ProxyUrl,
            ["https_proxy"] = proxy.ProxyUrl,
            ["NO_PROXY"] = "127.0.0.1,localhost",
            ["no_proxy"] = "127.0.0.1,localhost",
            ["SSL_CERT_FILE"] = Path.Combine(directory, "storage.pem"),
            ["IDENTITY_ENDPOINT"] = $"http://127.0.0.1:{identityPort.ToString(CultureInfo.InvariantCulture)}/msi/token",
            ["IDENTITY_HEADER"] = IdentityHeader,
        };
    }

    public IReadOnlyDictionary<string, string> ToolEnvironment { get; }

    /// <summary>Requests that carried the token the identity endpoint handed out.</summary>
    public int BearerRequests => Volatile.Read(ref _bearerRequests);

    public static async Task<ForbiddingTableService> StartAsync()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={Host}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(Host);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), password: null);
        var directory = Directory.CreateTempSubdirectory("jwtfunctions-admin-403-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "storage.pem"), certificate.ExportCertificatePem());

        var httpsPort = FreePort.Next();
        var identityPort = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, httpsPort, listen => listen.UseHttps(certificate));
            kestrel.Listen(IPAddress.Loopback, identityPort);
        });
        var app = builder.Build();
        var service = new ForbiddingTableService(app, new ConnectProxy(Host, 443, httpsPort), directory, identityPort);
        app.Run(context => context.Connection.LocalPort == identityPort ? Token(context) : service.Forbid(context));
        await app.StartAsync();
        return service;
    }

    private static Task Token(HttpContext context)
    {
        if (context.Request.Headers["X-IDENTITY-HEADER"] != IdentityHeader)
        {
            context.Response.StatusCode = 401;
            return Task.CompletedTask;
        }

        return context.Response.WriteAsJsonAsync(new Dictionary<string, string>
        {
            ["access_token"] = AccessToken,
            ["expires_on"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["resource"] = context.Request.Query["resource"].ToString(),
            ["token_type"] = "Bearer",
        });
    }

    private async Task Forbid(HttpContext context)
    {
        if (context.Request.Headers.Authorization == "Bearer " + AccessToken)
        {
            Interlocked.Increment(ref _bearerRequests);
        }

        context.Response.StatusCode = 403;
        context.Response.Headers["x-ms-error-code"] = "AuthorizationPermissionMismatch";
        context.Response.ContentType = "application/json;odata=minimalmetadata;streaming=true;charset=utf-8";
        await context.Response.WriteAsync("""
            {"odata.error":{"code":"AuthorizationPermissionMismatch","message":{"lang":"en-US","value":"This request is not authorized to perform this operation using this permission."}}}
            """);
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
