using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>GET /api/health tells the public the status alone; a caller with a valid access token gets the details.</summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class HealthTests(FunctionsAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output)
{
    [Theory]
    [InlineData(null)]
    [InlineData("Bearer not-a-token")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task TheAnonymousAnswerIsTheStatusAlone(string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/health");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"healthy"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task AnAuthenticatedCallerSeesWhichDependencyIsInWhichState()
    {
        var (_, tokens) = await App.NewSessionAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/health");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Access);

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("loaded", body.RootElement.GetProperty("signing_keys").GetString());
        Assert.Equal("local-setting", body.RootElement.GetProperty("key_source").GetString());
        Assert.Equal("ok", body.RootElement.GetProperty("storage").GetString());
    }
}
