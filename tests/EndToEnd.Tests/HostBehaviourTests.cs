using System.Net;
using System.Net.Http.Json;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>What the local host does that users can see: routing, methods, headers.</summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class HostBehaviourTests(FunctionsAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output)
{
    /// <remarks>
    /// A wrong method is 404, not 405: the Functions host routes with legacy routes carrying an
    /// HttpMethodRouteConstraint (azure-functions-host WebScriptHostHttpRoutesManager.cs,
    /// azure-webjobs-sdk-extensions WebJobsRouteBuilder.cs), so a method outside the function's
    /// list does not match and the request falls through to 404; HEAD is not GET. <c>GET /</c> is
    /// 204 because this fixture sets AzureWebJobsDisableHomepage=true, as infra/ does
    /// (HomepageMiddleware.cs). More in HostFidelity/fidelity.json.
    /// </remarks>
    [Theory]
    [InlineData("GET", "api/v1.0/nothing-here", HttpStatusCode.NotFound)]
    [InlineData("POST", "v1.0/login", HttpStatusCode.NotFound)]               // no route prefix
    [InlineData("GET", "", HttpStatusCode.NoContent)]                          // homepage disabled
    [InlineData("GET", "api/v1.0/login", HttpStatusCode.NotFound)]            // login is POST only
    [InlineData("POST", "api/v1.0/protected", HttpStatusCode.NotFound)]       // protected is GET only
    [InlineData("DELETE", "api/v1.0/protected", HttpStatusCode.NotFound)]
    [InlineData("HEAD", "api/v1.0/protected", HttpStatusCode.NotFound)]       // HEAD is not GET
    [InlineData("POST", "api/health", HttpStatusCode.NotFound)]
    public async Task RoutesAndMethodsComeFromTheFunctionMetadataAndAWrongMethodIs404LikeTheFunctionsHost(string method, string path, HttpStatusCode expected)
    {
        using var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(expected, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(40 * 1024)]
    [InlineData(100 * 1024)]
    public async Task RequestHeadersOver32KiBGetABare431LikeTheFunctionsHost(int size)
    {
        // Kestrel's default MaxRequestHeadersTotalSize, which the Functions host keeps (and the
        // worker's own server under ASP.NET Core integration too): the app never sees the request.
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1.0/protected");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + new string('a', size));
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task RoutesMatchCaseInsensitivelyLikeTheFunctionsHost()
    {
        using var response = await Client.GetAsync("API/HEALTH");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ResponseHeadersSetByTheFunctionReachTheClient()
    {
        var username = FunctionsAppFixture.NewUsername();
        await App.RegisterAsync(username);
        using var response = await Client.PostAsJsonAsync("api/v1.0/login", new { username, password = FunctionsAppFixture.Password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("no-cache", string.Join(",", response.Headers.Pragma));
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
    }

    [Fact]
    public async Task TheHostReportsTheFunctionsItServes()
    {
        var names = App.Host.Functions.Select(f => f.Name).ToHashSet();
        foreach (var expected in new[] { "Register", "Login", "Refresh", "Protected", "Logout", "Health" })
        {
            Assert.Contains(expected, names);
        }

        Assert.Equal("api", App.Host.RoutePrefix);
        await Task.CompletedTask;
    }

    [Fact]
    public void TheAppServesHttpItselfAndTheHostProxiesToIt()
    {
        // ASP.NET Core integration: the worker advertised its HttpUri, so every test in this
        // collection goes through the host's proxy path (forwarder + x-ms-invocation-id).
        var workerUri = Assert.IsType<Uri>(App.Host.WorkerHttpUri);
        Assert.True(workerUri.IsLoopback, workerUri.ToString());
    }
}
