using System.Net;
using System.Text.Json;
using Azure.Data.Tables;

namespace JwtFunctions.EndToEnd.Tests.Admin;

/// <summary>
/// The admin API through the real worker: every route, roles into tokens at login and refresh,
/// rights taken away ending older tokens at once, disabled accounts, paging, the last-admin rule.
/// Admin calls use an admin token signed with the app's key that names no stored user
/// (<see cref="AdminApi.AdminToken"/>), so they never count for the last-admin rule.
/// </summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class AdminApiTests(FunctionsAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output)
{
    private const string Revoked = "Bearer error=\"invalid_token\", error_description=\"The token was revoked\"";

    private string Admin => AdminApi.AdminToken(App.SigningKey);

    private Task<HttpResponseMessage> AdminSendAsync(HttpMethod method, string path, string? json = null) =>
        AdminApi.SendAsync(Client, method, path, Admin, json);

    private async Task<string> CreateAsync(string[] roles, string? scope = null)
    {
        var username = FunctionsAppFixture.NewUsername();
        using var response = await AdminSendAsync(HttpMethod.Post, "api/v1.0/admin/users",
            JsonSerializer.Serialize(new { username, password = FunctionsAppFixture.Password, roles, scope }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return username;
    }

    private async Task<HttpStatusCode> StatusAsync(HttpMethod method, string path, string? json = null)
    {
        using var response = await AdminSendAsync(method, path, json);
        return response.StatusCode;
    }

    [Fact]
    public async Task ARoleAddedShowsAfterTheNextRefreshAndEarlierTokensKeepWorking()
    {
        var (username, tokens) = await App.NewSessionAsync();
        Assert.Empty(AdminApi.Roles(await AdminApi.MeAsync(Client, tokens.Access)));

        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(HttpMethod.Put, $"api/v1.0/admin/users/{username}/roles", """{"roles":["ops","reports"]}"""));

        Assert.Empty(AdminApi.Roles(await AdminApi.MeAsync(Client, tokens.Access)));
        var (status, refreshed) = await AdminApi.RefreshAsync(Client, tokens.Refresh);
        Assert.Equal(HttpStatusCode.OK, status);
        var me = await AdminApi.MeAsync(Client, refreshed!.Access);
        Assert.Equal(["ops", "reports"], AdminApi.Roles(me));
        Assert.Equal(username.ToLowerInvariant(), me.GetProperty("username").GetString());
        Assert.Equal(string.Empty, me.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task ARoleRemovedRefusesTheOlderAccessTokenAtOnceAndTheNextLoginLacksIt()
    {
        var username = await CreateAsync(["ops", "reports"], "reports:read");
        var tokens = await App.LoginAsync(username);
        var me = await AdminApi.MeAsync(Client, tokens.Access);
        Assert.Equal(["ops", "reports"], AdminApi.Roles(me));
        Assert.Equal("reports:read", me.GetProperty("scope").GetString());

        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(HttpMethod.Put, $"api/v1.0/admin/users/{username}/roles", """{"roles":["ops"]}"""));

        using (var old = await AdminApi.SendAsync(Client, HttpMethod.Get, "api/v1.0/me", tokens.Access))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
            Assert.Equal(Revoked, SessionTests.Challenge(old));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await AdminApi.RefreshAsync(Client, tokens.Refresh)).Status);
        Assert.Equal(["ops"], AdminApi.Roles(await AdminApi.MeAsync(Client, (await App.LoginAsync(username)).Access)));
    }

    [Fact]
    public async Task ADisabledUserCannotLogInRefreshOrUseItsTokenAndCanAgainOnceEnabled()
    {
        var (username, tokens) = await App.NewSessionAsync();

        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(HttpMethod.Post, $"api/v1.0/admin/users/{username}/disable"));

        using (var login = await Client.PostAsync("api/v1.0/login", FunctionsAppFixture.SizedJson(new { username, password = FunctionsAppFixture.Password })))
        {
            // The same answer as a wrong password.
            Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
            Assert.Equal("Bearer", SessionTests.Challenge(login));
            var body = await SessionTests.Json(login);
            Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
            Assert.Equal("The username or password is incorrect", body.GetProperty("error_description").GetString());
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await AdminApi.RefreshAsync(Client, tokens.Refresh)).Status);
        using (var old = await AdminApi.SendAsync(Client, HttpMethod.Get, "api/v1.0/protected", tokens.Access))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
            Assert.Equal(Revoked, SessionTests.Challenge(old));
        }

        using (var get = await AdminSendAsync(HttpMethod.Get, $"api/v1.0/admin/users/{username}"))
        {
            Assert.True((await SessionTests.Json(get)).GetProperty("disabled").GetBoolean());
        }

        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(HttpMethod.Post, $"api/v1.0/admin/users/{username}/enable"));
        Assert.Equal(HttpStatusCode.OK, await AdminApi.LoginStatusAsync(Client, username, FunctionsAppFixture.Password));
    }

    [Fact]
    public async Task EveryRouteDoesWhatItSays()
    {
        var username = FunctionsAppFixture.NewUsername();
        var user = username.ToLowerInvariant();

        // create: 201 with the user, 409 when taken
        var create = JsonSerializer.Serialize(new { username, password = FunctionsAppFixture.Password, roles = new[] { "reports", "ops" } });
        using (var created = await AdminSendAsync(HttpMethod.Post, "api/v1.0/admin/users", create))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal(
                $$"""{"username":"{{user}}","roles":["ops","reports"],"scope":"","disabled":false,"locked_until":null}""",
                await created.Content.ReadAsStringAsync());
        }

        using (var taken = await AdminSendAsync(HttpMethod.Post, "api/v1.0/admin/users", create))
        {
            Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
            Assert.Equal("username_taken", (await SessionTests.Json(taken)).GetProperty("error").GetString());
        }

        // get: 200, and 404 JSON for nobody
        using (var got = await AdminSendAsync(HttpMethod.Get, $"api/v1.0/admin/users/{username.ToUpperInvariant()}"))
        {
            Assert.Equal(HttpStatusCode.OK, got.StatusCode);
            Assert.Equal(user, (await SessionTests.Json(got)).GetProperty("username").GetString());
        }

        using (var missing = await AdminSendAsync(HttpMethod.Get, "api/v1.0/admin/users/nobody-at-all"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("not_found", (await SessionTests.Json(missing)).GetProperty("error").GetString());
        }

        // unlock: 5 wrong passwords lock; locked_until shows; unlock ends it
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await AdminApi.LoginStatusAsync(Client, username, "not the right password"));
        }

        using (var locked = await AdminSendAsync(HttpMethod.Get, $"api/v1.0/admin/users/{username}"))
        {
            Assert.Equal(JsonValueKind.String, (await SessionTests.Json(locked)).GetProperty("locked_until").ValueKind);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await AdminApi.LoginStatusAsync(Client, username, FunctionsAppFixture.Password));
        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(HttpMethod.Post, $"api/v1.0/admin/users/{username}/unlock"));
        Assert.Equal(HttpStatusCode.OK, await AdminApi.LoginStatusAsync(Client, username, FunctionsAppFixture.Password));

        // password reset: the old password stops working, every token is revoked
        var tokens = await App.LoginAsync(username);
        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(HttpMethod.Post, $"api/v1.0/admin/users/{username}/password", """{"new_password":"a brand new password"}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, await AdminApi.LoginStatusAsync(Client, username, FunctionsAppFixture.Password));
        Assert.Equal(HttpStatusCode.Unauthorized, (await AdminApi.RefreshAsync(Client, tokens.Refresh)).Status);
        tokens = await App.LoginAsync(username, "a brand new password");

        // revoke: every token ends, the account stays
        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(HttpMethod.Post, $"api/v1.0/admin/users/{username}/revoke"));
        using (var old = await AdminApi.SendAsync(Client, HttpMethod.Get, "api/v1.0/protected", tokens.Access))
        {
            Assert.Equal(Revoked, SessionTests.Challenge(old));
        }

        tokens = await App.LoginAsync(username, "a brand new password");

        // an unknown action is a JSON 404
        using (var unknown = await AdminSendAsync(HttpMethod.Post, $"api/v1.0/admin/users/{username}/promote"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("not_found", (await SessionTests.Json(unknown)).GetProperty("error").GetString());
        }

        // delete: tokens refused, rows gone, login refused, then 404
        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(HttpMethod.Delete, $"api/v1.0/admin/users/{username}"));
        using (var old = await AdminApi.SendAsync(Client, HttpMethod.Get, "api/v1.0/protected", tokens.Access))
        {
            Assert.Equal(Revoked, SessionTests.Challenge(old));
        }

        Assert.Null(await StoredState.ReadAsync(App.StorageConnectionString, "Users", user, "user"));
        Assert.Null(await StoredState.ReadAsync(App.StorageConnectionString, "Users", user, "lockout"));
        Assert.Equal(HttpStatusCode.Unauthorized, await AdminApi.LoginStatusAsync(Client, username, "a brand new password"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(HttpMethod.Delete, $"api/v1.0/admin/users/{username}"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(HttpMethod.Post, $"api/v1.0/admin/users/{username}/disable"));
    }

    [Fact]
    public async Task PagesOverTwoHundredFiftyUsersListEachOnceInOrder()
    {
        // Seeded straight into the Users table (251 Argon2id hashes through the API would only
        // slow the test); the listing does not read hashes.
        var prefix = "page" + Guid.NewGuid().ToString("N")[..8] + "-";
        var names = Enumerable.Range(0, 251).Select(i => $"{prefix}{i:D3}").ToList();
        var table = new TableServiceClient(App.StorageConnectionString).GetTableClient("Users");
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, ct) =>
            await table.AddEntityAsync(new TableEntity(name, "user") { ["Username"] = name, ["PasswordHash"] = "unusable", ["Roles"] = "ops" }, ct));

        var all = new List<string>();
        string? continuation = null;
        var pages = 0;
        do
        {
            var path = "api/v1.0/admin/users?limit=100" + (continuation is null ? string.Empty : "&continuation=" + Uri.EscapeDataString(continuation));
            using var response = await AdminSendAsync(HttpMethod.Get, path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await SessionTests.Json(response);
            var users = body.GetProperty("users").EnumerateArray().ToList();
            Assert.InRange(users.Count, 0, 100);
            all.AddRange(users.Select(u => u.GetProperty("username").GetString()!));
            continuation = body.GetProperty("continuation").GetString();
            pages++;
        }
        while (continuation is not null);

        Assert.True(pages >= 3, $"{pages} pages for at least 251 users");
        Assert.Equal(names, all.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)));
        Assert.Equal(all.Order(StringComparer.Ordinal), all);
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public async Task TheLastEnabledAdminCannotBeDemotedDisabledOrDeleted()
    {
        var last = await CreateAsync(["admin"]);

        // Make it the only enabled admin: disable every other one (allowed, since it remains).
        string? continuation = null;
        do
        {
            using var response = await AdminSendAsync(HttpMethod.Get, "api/v1.0/admin/users?limit=100" + (continuation is null ? string.Empty : "&continuation=" + continuation));
            var body = await SessionTests.Json(response);
            foreach (var user in body.GetProperty("users").EnumerateArray())
            {
                var name = user.GetProperty("username").GetString()!;
                if (name != last.ToLowerInvariant() && !user.GetProperty("disabled").GetBoolean() && AdminApi.Roles(user).Contains("admin"))
                {
                    Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(HttpMethod.Post, $"api/v1.0/admin/users/{name}/disable"));
                }
            }

            continuation = body.GetProperty("continuation").GetString();
        }
        while (continuation is not null);

        foreach (var (method, path, json) in new (HttpMethod, string, string?)[]
                 {
                     (HttpMethod.Put, $"api/v1.0/admin/users/{last}/roles", """{"roles":["ops"]}"""),
                     (HttpMethod.Put, $"api/v1.0/admin/users/{last}/roles", """{"roles":[]}"""),
                     (HttpMethod.Post, $"api/v1.0/admin/users/{last}/disable", null),
                     (HttpMethod.Delete, $"api/v1.0/admin/users/{last}", null),
                 })
        {
            using var response = await AdminSendAsync(method, path, json);
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            var body = await SessionTests.Json(response);
            Assert.Equal("last_admin", body.GetProperty("error").GetString());
            Assert.Equal("The last enabled admin cannot be demoted, disabled or deleted; make another user admin first", body.GetProperty("error_description").GetString());
        }

        using (var get = await AdminSendAsync(HttpMethod.Get, $"api/v1.0/admin/users/{last}"))
        {
            var body = await SessionTests.Json(get);
            Assert.Equal(["admin"], AdminApi.Roles(body));
            Assert.False(body.GetProperty("disabled").GetBoolean());
        }

        // A real login of that admin carries the role and may use the admin API.
        var tokens = await App.LoginAsync(last);
        Assert.Equal(["admin"], AdminApi.Roles(await AdminApi.MeAsync(Client, tokens.Access)));
        using var list = await AdminApi.SendAsync(Client, HttpMethod.Get, "api/v1.0/admin/users?limit=1", tokens.Access);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }
}
