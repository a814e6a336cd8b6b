using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace JwtFunctions.EndToEnd.Tests.Admin;

/// <summary>Admin API helpers over the fixture's real worker.</summary>
public static class AdminApi
{
    public const string RoleChallenge = "Bearer error=\"insufficient_scope\", error_description=\"The access token lacks a required role\"";
    public const string ScopeChallenge = "Bearer error=\"insufficient_scope\", error_description=\"The access token lacks a required scope\", scope=\"reports:export reports:read\"";

    /// <summary>
    /// An access token with <c>roles: ["admin"]</c> signed with the app's key: what an admin
    /// (bootstrapped by the admin tool) gets at login. It names no stored user, so it never
    /// counts for the last-admin rule.
    /// </summary>
    public static string AdminToken(byte[] key, string sub = "e2e-admin") => Token(key, sub, claims => claims["roles"] = new[] { "admin" });

    public static string Token(byte[] key, string sub, Action<Dictionary<string, object?>> change)
    {
        var claims = TokenForge.Claims(sub: sub);
        change(claims);
        return TokenForge.Sign(TokenForge.Header(), claims, key);
    }

    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? access, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (access is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request);
    }

    public static async Task<JsonElement> MeAsync(HttpClient client, string access)
    {
        using var response = await SendAsync(client, HttpMethod.Get, "api/v1.0/me", access);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await SessionTests.Json(response);
    }

    public static string[] Roles(JsonElement body) => [.. body.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!)];

    /// <summary>The status of a refresh with the refresh token as Bearer, and the new pair on success.</summary>
    public static async Task<(HttpStatusCode Status, TokenPair? Tokens)> RefreshAsync(HttpClient client, string refresh)
    {
        using var response = await SendAsync(client, HttpMethod.Post, "api/v1.0/refresh", refresh);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, null);
        }

        var body = await SessionTests.Json(response);
        return (response.StatusCode, new TokenPair(body.GetProperty("access_token").GetString()!, body.GetProperty("refresh_token").GetString()!));
    }

    public static async Task<HttpStatusCode> LoginStatusAsync(HttpClient client, string username, string password)
    {
        using var response = await client.PostAsync("api/v1.0/login", FunctionsAppFixture.SizedJson(new { username, password }));
        return response.StatusCode;
    }
}
