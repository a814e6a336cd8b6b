using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// Ending a session ends every token of it (RFC 7009 §2.1): the access tokens already issued in the
/// session are refused after a logout, a revocation of its refresh token, or a detected reuse.
/// </summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class SessionEndTests(FunctionsAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output)
{
    public static TheoryData<string> Endings() => new() { "logout", "revoke refresh token", "reuse" };

    [Theory]
    [MemberData(nameof(Endings))]
    public async Task EndingASessionRefusesEveryAccessTokenIssuedInIt(string ending)
    {
        var (username, login) = await App.NewSessionAsync();
        var refreshed = await RefreshAsync(login.Refresh);
        var otherSession = await App.LoginAsync(username);
        await AssertAcceptedAsync(login.Access);
        await AssertAcceptedAsync(refreshed.Access);

        switch (ending)
        {
            case "logout":
                using (var logout = await SendAsync(HttpMethod.Post, "api/v1.0/logout", refreshed.Access))
                {
                    Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
                }

                break;
            case "revoke refresh token":
                using (var revoke = await Client.PostAsync("api/v1.0/revoke", new StringContent($"token={refreshed.Refresh}&token_type_hint=refresh_token", Encoding.UTF8, "application/x-www-form-urlencoded")))
                {
                    Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
                }

                break;
            default:
                // The first refresh token, already spent, presented again.
                using (var reuse = await SendAsync(HttpMethod.Post, "api/v1.0/refresh", login.Refresh))
                {
                    Assert.Equal(HttpStatusCode.Unauthorized, reuse.StatusCode);
                }

                break;
        }

        foreach (var access in new[] { login.Access, refreshed.Access })
        {
            using var response = await SendAsync(HttpMethod.Get, "api/v1.0/protected", access);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The token was revoked\"", SessionTests.Challenge(response));
        }

        using (var refresh = await SendAsync(HttpMethod.Post, "api/v1.0/refresh", refreshed.Refresh))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        }

        // Only that session: the user's other session goes on.
        await AssertAcceptedAsync(otherSession.Access);
    }

    private async Task<TokenPair> RefreshAsync(string refreshToken)
    {
        using var response = await SendAsync(HttpMethod.Post, "api/v1.0/refresh", refreshToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await SessionTests.Json(response);
        return new TokenPair(body.GetProperty("access_token").GetString()!, body.GetProperty("refresh_token").GetString()!);
    }

    private async Task AssertAcceptedAsync(string accessToken)
    {
        using var response = await SendAsync(HttpMethod.Get, "api/v1.0/protected", accessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string bearer)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return Client.SendAsync(request);
    }
}
