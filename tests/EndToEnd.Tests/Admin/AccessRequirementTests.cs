using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

namespace JwtFunctions.EndToEnd.Tests.Admin;

/// <summary>
/// The 403 corpus through the real worker: valid tokens that lack the role (<c>[RequireRole("admin")]</c>
/// on the admin API) or a scope (<c>[RequireScope]</c> ×2 on <c>GET reports/export</c>) get 403 with the
/// exact RFC 6750 §3.1 <c>insufficient_scope</c> challenge, and the function never runs. Proof, as
/// the 401 corpus does it, by a side effect the function would have had: the admin case asks to
/// create a user (afterwards it does not exist); the scope case would have logged the export under
/// the token's own name (absent from the log, read after a positive control's line has arrived).
/// </summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class AccessRequirementTests(FunctionsAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output)
{
    private const string Signature = "Bearer error=\"invalid_token\", error_description=\"The token's signature is invalid\"";

    /// <summary>Case -> the <c>roles</c> claim written (a JSON literal; <c>-</c>: none), expected status and challenge.</summary>
    public static TheoryData<string, string, int, string> RoleCorpus => new()
    {
        { "no roles claim", "-", 403, AdminApi.RoleChallenge },
        { "roles empty", "[]", 403, AdminApi.RoleChallenge },
        { "wrong role", "[\"ops\"]", 403, AdminApi.RoleChallenge },
        { "role in another case", "[\"Admin\"]", 403, AdminApi.RoleChallenge },
        { "role with a space", "[\"admin \"]", 403, AdminApi.RoleChallenge },
        { "roles a string, not an array", "\"admin\"", 403, AdminApi.RoleChallenge },
        { "roles a number", "1", 403, AdminApi.RoleChallenge },
        { "roles an object", "{\"admin\":true}", 403, AdminApi.RoleChallenge },
        { "roles true", "true", 403, AdminApi.RoleChallenge },
        { "roles null", "null", 403, AdminApi.RoleChallenge },
        { "roles admin beside a number", "[\"admin\",1]", 403, AdminApi.RoleChallenge },
        { "roles admin nested in an array", "[[\"admin\"]]", 403, AdminApi.RoleChallenge },
        { "roles admin beside an object", "[\"admin\",{\"x\":1}]", 403, AdminApi.RoleChallenge },
        { "role (singular) claim", "role", 403, AdminApi.RoleChallenge },
        { "admin as a scope, not a role", "scope", 403, AdminApi.RoleChallenge },
        { "roles admin, signed with another key", "other-key", 401, Signature },
    };

    [Theory]
    [MemberData(nameof(RoleCorpus))]
    public async Task ATokenWithoutTheAdminRoleIsRefusedWithItsChallengeAndCreatesNoUser(string @case, string roles, int status, string challenge)
    {
        var target = FunctionsAppFixture.NewUsername();
        var token = roles switch
        {
            "other-key" => AdminApi.AdminToken(RandomNumberGenerator.GetBytes(32), "intruder"),
            "role" => AdminApi.Token(App.SigningKey, "intruder", c => c["role"] = new[] { "admin" }),
            "scope" => AdminApi.Token(App.SigningKey, "intruder", c => c["scope"] = "admin"),
            "-" => AdminApi.Token(App.SigningKey, "intruder", _ => { }),
            _ => AdminApi.Token(App.SigningKey, "intruder", c => c["roles"] = JsonDocument.Parse(roles).RootElement.Clone()),
        };

        using (var create = await AdminApi.SendAsync(Client, HttpMethod.Post, "api/v1.0/admin/users", token,
            JsonSerializer.Serialize(new { username = target, password = FunctionsAppFixture.Password, roles = new[] { "admin" } })))
        {
            await AssertRefusedAsync(create, status, challenge, @case);
        }

        using (var list = await AdminApi.SendAsync(Client, HttpMethod.Get, "api/v1.0/admin/users", token))
        {
            await AssertRefusedAsync(list, status, challenge, @case);
        }

        using var get = await AdminApi.SendAsync(Client, HttpMethod.Get, $"api/v1.0/admin/users/{target}", AdminApi.AdminToken(App.SigningKey));
        Assert.True(get.StatusCode == HttpStatusCode.NotFound, $"{@case}: the user was created, so the function ran");
    }

    [Fact]
    public async Task ARealUsersTokenHasNoRoleAndIsRefused()
    {
        var (_, tokens) = await App.NewSessionAsync();
        var target = FunctionsAppFixture.NewUsername();

        using var create = await AdminApi.SendAsync(Client, HttpMethod.Post, "api/v1.0/admin/users", tokens.Access,
            JsonSerializer.Serialize(new { username = target, password = FunctionsAppFixture.Password }));

        await AssertRefusedAsync(create, 403, AdminApi.RoleChallenge, "a registered user's token");
        using var get = await AdminApi.SendAsync(Client, HttpMethod.Get, $"api/v1.0/admin/users/{target}", AdminApi.AdminToken(App.SigningKey));
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task TheAdminRolePassesSoEachRefusalAboveIsCausedByItsCase()
    {
        var target = FunctionsAppFixture.NewUsername();
        using var create = await AdminApi.SendAsync(Client, HttpMethod.Post, "api/v1.0/admin/users", AdminApi.AdminToken(App.SigningKey, "intruder"),
            JsonSerializer.Serialize(new { username = target, password = FunctionsAppFixture.Password }));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
    }

    /// <summary>Case -> the <c>scope</c> claim written (a JSON literal; <c>-</c>: none), expected status and challenge.</summary>
    public static TheoryData<string, string, int, string> ScopeCorpus => new()
    {
        { "no scope claim", "-", 403, AdminApi.ScopeChallenge },
        { "scope empty", "\"\"", 403, AdminApi.ScopeChallenge },
        { "only reports:read (one of two missing)", "\"reports:read\"", 403, AdminApi.ScopeChallenge },
        { "only reports:export (one of two missing)", "\"reports:export\"", 403, AdminApi.ScopeChallenge },
        { "both, comma-separated", "\"reports:read,reports:export\"", 403, AdminApi.ScopeChallenge },
        { "both, in another case", "\"Reports:Read Reports:Export\"", 403, AdminApi.ScopeChallenge },
        { "prefixes only", "\"reports:rea reports:expor\"", 403, AdminApi.ScopeChallenge },
        { "a wider-looking scope", "\"reports:*\"", 403, AdminApi.ScopeChallenge },
        { "scope an array of both", "[\"reports:read\",\"reports:export\"]", 403, AdminApi.ScopeChallenge },
        { "scope a number", "7", 403, AdminApi.ScopeChallenge },
        { "both in scp, not scope", "scp", 403, AdminApi.ScopeChallenge },
        { "both as roles", "roles", 403, AdminApi.ScopeChallenge },
        { "both, signed with another key", "other-key", 401, Signature },
    };

    [Theory]
    [MemberData(nameof(ScopeCorpus))]
    public async Task ATokenMissingAScopeIsRefusedWithItsChallengeAndTheFunctionNeverRuns(string @case, string scope, int status, string challenge)
    {
        var sub = "scoped" + Guid.NewGuid().ToString("N")[..12];
        var token = scope switch
        {
            "other-key" => AdminApi.Token(RandomNumberGenerator.GetBytes(32), sub, c => c["scope"] = "reports:read reports:export"),
            "scp" => AdminApi.Token(App.SigningKey, sub, c => c["scp"] = new[] { "reports:read", "reports:export" }),
            "roles" => AdminApi.Token(App.SigningKey, sub, c => c["roles"] = new[] { "reports:read", "reports:export" }),
            "-" => AdminApi.Token(App.SigningKey, sub, _ => { }),
            _ => AdminApi.Token(App.SigningKey, sub, c => c["scope"] = JsonDocument.Parse(scope).RootElement.Clone()),
        };

        using (var response = await AdminApi.SendAsync(Client, HttpMethod.Get, "api/v1.0/reports/export", token))
        {
            await AssertRefusedAsync(response, status, challenge, @case);
        }

        // A positive control's log line, written after the refusal would have been: once it is
        // in the log, the refused call's line would be too had the function run.
        var control = await ExportAsync();
        Assert.DoesNotContain($"Report export served to {sub}", App.Log.Tail(400));
        Assert.Contains($"Report export served to {control}", App.Log.Tail(400));
    }

    [Fact]
    public async Task BothScopesPassAndTheFunctionSeesTheCallerAsAClaimsPrincipal()
    {
        var sub = "scoped" + Guid.NewGuid().ToString("N")[..12];
        var token = AdminApi.Token(App.SigningKey, sub, c => { c["scope"] = "other reports:export reports:read"; c["roles"] = new[] { "analyst" }; });

        using var response = await AdminApi.SendAsync(Client, HttpMethod.Get, "api/v1.0/reports/export", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await SessionTests.Json(response);
        Assert.Equal(sub, body.GetProperty("username").GetString());
        Assert.Equal(["analyst"], AdminApi.Roles(body));
        Assert.Equal("other reports:export reports:read", body.GetProperty("scope").GetString());
    }

    /// <summary>Calls the export with both scopes under a fresh name and waits for its log line; returns the name.</summary>
    private async Task<string> ExportAsync()
    {
        var sub = "control" + Guid.NewGuid().ToString("N")[..12];
        using var response = await AdminApi.SendAsync(Client, HttpMethod.Get, "api/v1.0/reports/export",
            AdminApi.Token(App.SigningKey, sub, c => c["scope"] = "reports:read reports:export"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        for (var i = 0; i < 200 && !App.Log.Tail(400).Contains($"Report export served to {sub}", StringComparison.Ordinal); i++)
        {
            await Task.Delay(50);
        }

        return sub;
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, int status, string challenge, string @case)
    {
        var text = await response.Content.ReadAsStringAsync();
        var context = $"{@case}: {(int)response.StatusCode} WWW-Authenticate: {SessionTests.Challenge(response) ?? "(none)"} body: {text}";
        Assert.True((int)response.StatusCode == status, context);
        Assert.True(SessionTests.Challenge(response) == challenge, context);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(status == 403 ? "insufficient_scope" : "invalid_token", body.GetProperty("error").GetString());
        Assert.Equal(challenge.Split("error_description=\"")[1].Split('"')[0], body.GetProperty("error_description").GetString());
    }
}
