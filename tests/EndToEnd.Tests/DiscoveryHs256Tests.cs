using System.Net;
using System.Text.Json;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>With the default HS256 nothing is published: the JWKS is empty and discovery names a shared-secret algorithm.</summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class DiscoveryHs256Tests(FunctionsAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output)
{
    [Fact]
    public async Task WithHs256TheJwksIsEmptyAndNoPartOfTheSecretIsPublished()
    {
        using var response = await Client.GetAsync("api/.well-known/jwks.json");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"keys":[]}""", text);
        Assert.Equal("public, max-age=300", response.Headers.CacheControl?.ToString());
        Assert.DoesNotContain(Convert.ToBase64String(App.SigningKey)[..16], text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithHs256DiscoverySaysHs256AndPointsAtTheEmptyJwksAnonymously()
    {
        using var response = await Client.GetAsync("api/.well-known/openid-configuration");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("jwtfunctions", body.GetProperty("issuer").GetString());
        Assert.Equal(["HS256"], body.GetProperty("id_token_signing_alg_values_supported").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(new Uri(Client.BaseAddress!, "api/.well-known/jwks.json").AbsoluteUri, body.GetProperty("jwks_uri").GetString());
        Assert.Equal(new Uri(Client.BaseAddress!, "api/v1.0/login").AbsoluteUri, body.GetProperty("token_endpoint").GetString());
    }
}
