using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// Every body-reading endpoint gives the same answer whether the body comes with
/// <c>Content-Length</c> or chunked (RFC 9112 §7.1), as .NET's own <c>PostAsJsonAsync</c> sends it.
/// On the built-in HTTP model the Functions host drops a chunked body (it copies a body only when
/// <c>Content-Length</c> &gt; 0); on ASP.NET Core integration the request is proxied as received.
/// </summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class BodyFramingTests(FunctionsAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output)
{
    public enum Framing
    {
        ContentLength,
        Chunked,
    }

    [Theory]
    [InlineData(Framing.ContentLength)]
    [InlineData(Framing.Chunked)]
    public async Task LoginIssuesTokens(Framing framing)
    {
        var username = FunctionsAppFixture.NewUsername();
        await App.RegisterAsync(username);

        using var response = await PostAsync("api/v1.0/login", Credentials(username, FunctionsAppFixture.Password), framing);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await SessionTests.Json(response);
        Assert.StartsWith("eyJ", body.GetProperty("access_token").GetString());
        Assert.StartsWith("eyJ", body.GetProperty("refresh_token").GetString());
    }

    [Theory]
    [InlineData(Framing.ContentLength)]
    [InlineData(Framing.Chunked)]
    public async Task RegisterCreatesTheAccount(Framing framing)
    {
        var username = FunctionsAppFixture.NewUsername();

        using var response = await PostAsync("api/v1.0/register", Credentials(username, FunctionsAppFixture.Password), framing);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(username, (await SessionTests.Json(response)).GetProperty("username").GetString());
        await App.LoginAsync(username);
    }

    [Theory]
    [InlineData(Framing.ContentLength)]
    [InlineData(Framing.Chunked)]
    public async Task RefreshReadsTheRefreshTokenFromTheBody(Framing framing)
    {
        var (_, tokens) = await App.NewSessionAsync();

        using var response = await PostAsync("api/v1.0/refresh", $$"""{"refresh_token":"{{tokens.Refresh}}"}""", framing);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(tokens.Refresh, (await SessionTests.Json(response)).GetProperty("refresh_token").GetString());
    }

    [Theory]
    [InlineData(Framing.ContentLength)]
    [InlineData(Framing.Chunked)]
    public async Task LogoutAllEndsEverySessionOfTheUser(Framing framing)
    {
        var (username, first) = await App.NewSessionAsync();
        var second = await App.LoginAsync(username);

        using (var logout = await PostAsync("api/v1.0/logout", """{"all":true}""", framing, bearer: first.Access))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        // The other session's tokens are gone too, not only the one that logged out.
        using var otherRefresh = await PostAsync("api/v1.0/refresh", $$"""{"refresh_token":"{{second.Refresh}}"}""", Framing.ContentLength);
        Assert.Equal(HttpStatusCode.Unauthorized, otherRefresh.StatusCode);
        Assert.Equal("invalid_grant", (await SessionTests.Json(otherRefresh)).GetProperty("error").GetString());
        using var otherAccess = await SendAsync(HttpMethod.Get, "api/v1.0/protected", null, Framing.ContentLength, second.Access);
        Assert.Equal(HttpStatusCode.Unauthorized, otherAccess.StatusCode);
    }

    [Theory]
    [InlineData(Framing.ContentLength)]
    [InlineData(Framing.Chunked)]
    public async Task PasswordChangeTakesTheNewPassword(Framing framing)
    {
        var (username, tokens) = await App.NewSessionAsync();
        const string newPassword = "a different long passphrase";

        using var response = await PostAsync(
            "api/v1.0/password",
            $$"""{"current_password":"{{FunctionsAppFixture.Password}}","new_password":"{{newPassword}}"}""",
            framing,
            bearer: tokens.Access);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await App.LoginAsync(username, newPassword);
    }

    [Theory]
    [InlineData(Framing.ContentLength, "application/json")]
    [InlineData(Framing.Chunked, "application/json")]
    [InlineData(Framing.ContentLength, "application/x-www-form-urlencoded")]
    [InlineData(Framing.Chunked, "application/x-www-form-urlencoded")]
    public async Task RevokeEndsTheSessionOfARefreshToken(Framing framing, string mediaType)
    {
        var (_, tokens) = await App.NewSessionAsync();
        var body = mediaType == "application/json"
            ? $$"""{"token":"{{tokens.Refresh}}","token_type_hint":"refresh_token"}"""
            : $"token={tokens.Refresh}&token_type_hint=refresh_token";

        using (var revoke = await PostAsync("api/v1.0/revoke", body, framing, mediaType: mediaType))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        using var refresh = await PostAsync("api/v1.0/refresh", $$"""{"refresh_token":"{{tokens.Refresh}}"}""", Framing.ContentLength);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
    }

    private static string Credentials(string username, string password) => $$"""{"username":"{{username}}","password":"{{password}}"}""";

    private Task<HttpResponseMessage> PostAsync(string path, string body, Framing framing, string? bearer = null, string mediaType = "application/json") =>
        SendAsync(HttpMethod.Post, path, body, framing, bearer, mediaType);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body, Framing framing, string? bearer, string mediaType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            // A stream of unknown length makes HttpClient send the body chunked; bytes go with Content-Length.
            request.Content = framing == Framing.Chunked ? new StreamContent(new UnknownLengthStream(bytes)) : new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
            request.Headers.TransferEncodingChunked = framing == Framing.Chunked;
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        var response = await Client.SendAsync(request);
        if (body is not null)
        {
            Assert.Equal(framing == Framing.Chunked ? null : body.Length, request.Content!.Headers.ContentLength);
        }

        return response;
    }

    /// <summary>A read-only stream that does not tell its length.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;
    }
}
