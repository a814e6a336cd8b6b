using System.Net;
using JwtFunctions.EndToEnd.Tests;

using JwtFunctions.AdminTool;

namespace JwtFunctions.EndToEnd.Tests.Admin;

/// <summary>
/// Every command against the Azurite of the running app, checked through the app: what the tool
/// creates logs in over HTTP, what it disables is refused, and so on. Usernames are fresh per test;
/// the last-admin test has a users table of its own.
/// </summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class UserCommandsTests : FunctionsAppTest
{
    private const string Password = "correct horse battery staple";
    private const string NewPassword = "a different long passphrase";

    private readonly ITestOutputHelper _output;

    public UserCommandsTests(FunctionsAppFixture app, ITestOutputHelper output)
        : base(app, output)
    {
        _output = output;
    }

    private Task<ToolRun> Tool(string stdin, params string[] arguments) =>
        Tool(stdin, new Dictionary<string, string>(), arguments);

    private async Task<ToolRun> Tool(string stdin, Dictionary<string, string> environment, params string[] arguments)
    {
        var run = await AdminTool.RunAsync([.. arguments, "--connection-string", App.StorageConnectionString, "--actor", "tester"], stdin, environment);
        _output.WriteLine($"admin {string.Join(' ', arguments)}: {run}");
        return run;
    }

    private async Task<HttpStatusCode> LoginStatusAsync(string username, string password)
    {
        using var response = await App.Client.PostAsync("api/v1.0/login", FunctionsAppFixture.SizedJson(new { username, password }));
        return response.StatusCode;
    }

    private async Task<HttpStatusCode> RefreshStatusAsync(string refreshToken)
    {
        using var response = await App.Client.PostAsync("api/v1.0/refresh", FunctionsAppFixture.SizedJson(new { refresh_token = refreshToken }));
        return response.StatusCode;
    }

    private async Task CreateAsync(string username, params string[] roles)
    {
        var run = await Tool(Password + "\n", ["users", "create", "--username", username, .. roles.SelectMany(r => new[] { "--role", r })]);
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Fact]
    public async Task CreatedAdminWithPasswordFromStdinLogsInThroughTheApp()
    {
        var username = FunctionsAppFixture.NewUsername();

        var run = await Tool(Password + "\n", "users", "create", "--username", username, "--role", "admin");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Created user '{username}' with roles [admin].", run.Out, StringComparison.Ordinal);
        Assert.Contains($"Audit: cli:tester created user {username} with roles [admin]", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, run.Out + run.Error, StringComparison.Ordinal);
        await App.LoginAsync(username, Password);
    }

    [Fact]
    public async Task CreatingATakenUsernameExitsWith3()
    {
        var username = FunctionsAppFixture.NewUsername();
        await CreateAsync(username);

        var run = await Tool(NewPassword + "\n", "users", "create", "--username", username);

        Assert.Equal(ExitCodes.AlreadyExists, run.ExitCode);
        Assert.Contains($"A user '{username}' already exists.", run.Error, StringComparison.Ordinal);
        await App.LoginAsync(username, Password);
    }

    [Theory]
    [InlineData("short\n")]
    [InlineData("\n")]
    [InlineData("")]
    public async Task PasswordRefusedByTheRuleOrMissingExitsWith6AndCreatesNothing(string stdin)
    {
        var username = FunctionsAppFixture.NewUsername();

        var run = await Tool(stdin, "users", "create", "--username", username);

        Assert.Equal(ExitCodes.PasswordRefused, run.ExitCode);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        var list = await Tool(string.Empty, "users", "list");
        Assert.DoesNotContain(username, list.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListShowsEveryUserWithRolesAndState()
    {
        var admin = FunctionsAppFixture.NewUsername();
        var reader = FunctionsAppFixture.NewUsername();
        await CreateAsync(admin, "admin");
        await CreateAsync(reader, "reader", "auditor");
        Assert.Equal(0, (await Tool(string.Empty, "users", "disable", "--username", reader)).ExitCode);

        var run = await Tool(string.Empty, "users", "list");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("USERNAME\tROLES\tSCOPE\tSTATE", lines[0]);
        Assert.Contains($"{admin}\tadmin\t\tenabled", lines);
        Assert.Contains($"{reader}\tauditor,reader\t\tdisabled", lines);
    }

    [Fact]
    public async Task DisabledUserCannotLogInOrRefreshUntilEnabled()
    {
        var username = FunctionsAppFixture.NewUsername();
        await CreateAsync(username);
        var tokens = await App.LoginAsync(username, Password);

        var disable = await Tool(string.Empty, "users", "disable", "--username", username);

        Assert.True(disable.ExitCode == 0, disable.ToString());
        Assert.Contains($"Audit: cli:tester did Disable on user {username}", disable.Error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(username, Password));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefreshStatusAsync(tokens.Refresh));

        Assert.Equal(0, (await Tool(string.Empty, "users", "enable", "--username", username)).ExitCode);
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(username, Password));
    }

    [Fact]
    public async Task SetRolesReplacesTheRolesAndTakingOneAwayEndsTheUsersTokens()
    {
        var username = FunctionsAppFixture.NewUsername();
        await CreateAsync(username, "reader", "writer");
        var tokens = await App.LoginAsync(username, Password);

        var run = await Tool(string.Empty, "users", "set-roles", "--username", username, "--role", "reader", "--role", "auditor");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"User '{username}' now has roles [auditor reader].", run.Out, StringComparison.Ordinal);
        var list = await Tool(string.Empty, "users", "list");
        Assert.Contains($"{username}\tauditor,reader\t\tenabled", list.Out, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, await RefreshStatusAsync(tokens.Refresh));
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(username, Password));
    }

    [Fact]
    public async Task UnlockEndsALockOutAfterFailedLogins()
    {
        var username = FunctionsAppFixture.NewUsername();
        await CreateAsync(username);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(username, "wrong password " + i));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(username, Password));
        var list = await Tool(string.Empty, "users", "list");
        Assert.Contains($"{username}\t\t\tenabled, locked until ", list.Out, StringComparison.Ordinal);

        var run = await Tool(string.Empty, "users", "unlock", "--username", username);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(username, Password));
    }

    [Fact]
    public async Task ResetPasswordReplacesThePasswordAndEndsTheUsersTokens()
    {
        var username = FunctionsAppFixture.NewUsername();
        await CreateAsync(username);
        var tokens = await App.LoginAsync(username, Password);

        var run = await Tool(NewPassword + "\n", "users", "reset-password", "--username", username);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain(NewPassword, run.Out + run.Error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(username, Password));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefreshStatusAsync(tokens.Refresh));
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(username, NewPassword));
    }

    [Fact]
    public async Task ResetPasswordRefusesAShortPasswordWith6AndKeepsTheOldOne()
    {
        var username = FunctionsAppFixture.NewUsername();
        await CreateAsync(username);

        var run = await Tool("short\n", "users", "reset-password", "--username", username);

        Assert.Equal(ExitCodes.PasswordRefused, run.ExitCode);
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(username, Password));
    }

    [Theory]
    [InlineData("disable")]
    [InlineData("enable")]
    [InlineData("unlock")]
    [InlineData("reset-password")]
    public async Task UnknownUserExitsWith4(string command)
    {
        var username = FunctionsAppFixture.NewUsername();

        var run = await Tool(Password + "\n", "users", command, "--username", username);

        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        Assert.Contains($"There is no user '{username}'.", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLastEnabledAdminCannotBeDemotedOrDisabled()
    {
        // A users table of its own, so this test alone decides who is admin (the app's Storage__UsersTable setting).
        var table = new Dictionary<string, string> { ["Storage__UsersTable"] = "Users" + Guid.NewGuid().ToString("N")[..12] };
        var first = FunctionsAppFixture.NewUsername();
        var second = FunctionsAppFixture.NewUsername();
        Assert.Equal(0, (await Tool(Password + "\n", table, "users", "create", "--username", first, "--role", "admin")).ExitCode);

        var demote = await Tool(string.Empty, table, "users", "set-roles", "--username", first, "--no-roles");
        var disable = await Tool(string.Empty, table, "users", "disable", "--username", first);

        Assert.Equal(ExitCodes.LastAdmin, demote.ExitCode);
        Assert.Equal(ExitCodes.LastAdmin, disable.ExitCode);
        Assert.Contains($"Refused: '{first}' is the last enabled admin", disable.Error, StringComparison.Ordinal);

        Assert.Equal(0, (await Tool(Password + "\n", table, "users", "create", "--username", second, "--role", "admin")).ExitCode);
        Assert.Equal(0, (await Tool(string.Empty, table, "users", "disable", "--username", first)).ExitCode);
    }

    [Fact]
    public async Task AuditEventsNameTheOperatingSystemUserWithoutActor()
    {
        var username = FunctionsAppFixture.NewUsername();
        await CreateAsync(username);

        var run = await AdminTool.RunAsync(["users", "unlock", "--username", username, "--connection-string", App.StorageConnectionString]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Audit: cli:{Environment.UserName} did Unlock on user {username}", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionStringIsTakenFromAzureWebJobsStorage()
    {
        var username = FunctionsAppFixture.NewUsername();

        var run = await AdminTool.RunAsync(["users", "create", "--username", username], Password + "\n", new Dictionary<string, string> { ["AzureWebJobsStorage"] = App.StorageConnectionString });

        Assert.True(run.ExitCode == 0, run.ToString());
        await App.LoginAsync(username, Password);
    }
}
