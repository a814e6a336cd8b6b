using Azure.Data.Tables;
using JwtFunctions.Accounts;
using JwtFunctions.Admin;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace JwtFunctions.Tests.Admin;

[Collection(AzuriteCollection.Name)]
public sealed class UserAdministrationTests(AzuriteFixture azurite)
{
    private const string Password = "twelve-chars";
    private const string Actor = "root";

    private static async Task<TestServices> StartWithAdminAsync(AzuriteFixture azurite, string admin = "root")
    {
        var app = await TestServices.StartAsync(azurite);
        Assert.Equal(AdminResult.Done, await app.Get<UserAdministration>().CreateAsync(Actor, admin, Password, ["admin"], null, default));
        return app;
    }

    private static UserAdministration Admin(TestServices app) => app.Get<UserAdministration>();

    private static async Task<TokenPrincipal> AccessPrincipalAsync(TestServices app, string token) =>
        (await app.Tokens.ValidateAsync(token, TokenKind.Access, default)).Principal!;

    private static async Task<TokenPrincipal> RefreshPrincipalAsync(TestServices app, string token) =>
        (await app.Tokens.ValidateAsync(token, TokenKind.Refresh, default)).Principal!;

    [Fact]
    public async Task ACreatedUserHasItsRolesAndScopeAndCanLogIn()
    {
        await using var app = await StartWithAdminAsync(azurite);

        Assert.Equal(AdminResult.Done, await Admin(app).CreateAsync(Actor, "Bob", Password, ["reports", "ops", "reports"], "reports:read", default));

        var bob = await Admin(app).GetAsync("BOB", default);
        Assert.Equal(new[] { "ops", "reports" }, bob!.Roles);
        Assert.Equal("reports:read", bob.Scope);
        Assert.False(bob.Disabled);
        Assert.Null(bob.LockedUntil);
        Assert.NotNull((await app.Accounts.LoginAsync("bob", Password, default)).Tokens);
    }

    public static TheoryData<string?, string?, string?[]?, string?, AdminResult> BadCreations => new()
    {
        { "bob", "short", ["ops"], null, AdminResult.InvalidPassword },
        { "bob", null, ["ops"], null, AdminResult.InvalidPassword },
        { "bob", new string('p', 129), ["ops"], null, AdminResult.InvalidPassword },
        { "bob", "passwordpassword", ["ops"], null, AdminResult.CommonPassword },
        { "b", Password, ["ops"], null, AdminResult.InvalidUsername },
        { "bob/evil", Password, ["ops"], null, AdminResult.InvalidUsername },
        { null, Password, ["ops"], null, AdminResult.InvalidUsername },
        { "bob", Password, ["has space"], null, AdminResult.InvalidRoles },
        { "bob", Password, [""], null, AdminResult.InvalidRoles },
        { "bob", Password, [null], null, AdminResult.InvalidRoles },
        { "bob", Password, ["quote\""], null, AdminResult.InvalidRoles },
        { "bob", Password, [new string('r', 65)], null, AdminResult.InvalidRoles },
        { "bob", Password, [.. Enumerable.Range(0, 33).Select(i => "r" + i)], null, AdminResult.InvalidRoles },
        { "bob", Password, ["ops"], "a  b", AdminResult.InvalidScope },
        { "bob", Password, ["ops"], " a", AdminResult.InvalidScope },
        { "bob", Password, ["ops"], "a\"b", AdminResult.InvalidScope },
        { "root", Password, ["ops"], null, AdminResult.UsernameTaken },
        { "ROOT", Password, null, null, AdminResult.UsernameTaken },
    };

    [Theory]
    [MemberData(nameof(BadCreations))]
    public async Task ABadCreationIsRefusedWithItsReasonAndCreatesNothing(string? username, string? password, string?[]? roles, string? scope, AdminResult expected)
    {
        await using var app = await StartWithAdminAsync(azurite);

        Assert.Equal(expected, await Admin(app).CreateAsync(Actor, username, password, roles, scope, default));

        var (page, _) = await Admin(app).ListAsync(null, null, default);
        Assert.Equal(["root"], page!.Users.Select(u => u.Username));
    }

    [Fact]
    public async Task PagesWalkEveryUserOnceInNameOrder()
    {
        await using var app = await StartWithAdminAsync(azurite);
        var users = app.Get<UserStore>();
        var names = Enumerable.Range(0, 251).Select(i => $"user{i:D3}").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, ct) =>
            Assert.True(await users.TryCreateAsync(new UserEntity { PartitionKey = name, Username = name, PasswordHash = "x" }, ct)));
        await FailLoginsAsync(app, "user007", 5);

        var seen = new List<UserSummary>();
        string? continuation = null;
        var pages = 0;
        do
        {
            var (page, result) = await Admin(app).ListAsync(100, continuation, default);
            Assert.Equal(AdminResult.Done, result);
            Assert.InRange(page!.Users.Count, 1, 100);
            seen.AddRange(page.Users);
            continuation = page.Continuation;
            pages++;
        }
        while (continuation is not null);

        Assert.Equal(3, pages);
        Assert.Equal(["root", .. names], seen.Select(u => u.Username));
        Assert.NotNull(seen.Single(u => u.Username == "user007").LockedUntil);
        Assert.All(seen.Where(u => u.Username != "user007"), u => Assert.Null(u.LockedUntil));
    }

    [Theory]
    [InlineData(0, null, AdminResult.InvalidLimit)]
    [InlineData(101, null, AdminResult.InvalidLimit)]
    [InlineData(-1, null, AdminResult.InvalidLimit)]
    [InlineData(10, "x", AdminResult.InvalidContinuation)]
    [InlineData(10, "a' or RowKey ne '", AdminResult.InvalidContinuation)]
    public async Task ABadPageRequestIsRefused(int limit, string? continuation, AdminResult expected)
    {
        await using var app = await StartWithAdminAsync(azurite);
        Assert.Equal(expected, (await Admin(app).ListAsync(limit, continuation, default)).Result);
    }

    [Fact]
    public async Task RemovingARoleRevokesOlderAccessTokensAndTheNextLoginCarriesTheNewRoles()
    {
        await using var app = await StartWithAdminAsync(azurite);
        await Admin(app).CreateAsync(Actor, "bob", Password, ["ops", "reports"], null, default);
        var before = (await app.Accounts.LoginAsync("bob", Password, default)).Tokens!;
        Assert.True((await app.AuthenticateAsync(before.AccessToken)).Principal is not null);

        Assert.Equal(AdminResult.Done, await Admin(app).SetRolesAsync(Actor, "bob", ["ops"], default));

        Assert.Equal(TokenFailure.Revoked, (await app.AuthenticateAsync(before.AccessToken)).Failure);
        Assert.Equal(GrantFailure.InvalidRefreshToken, (await app.Accounts.RefreshAsync(await RefreshPrincipalAsync(app, before.RefreshToken), default)).Failure);
        Assert.Equal(["ops"], (await Admin(app).GetAsync("bob", default))!.Roles);
    }

    [Fact]
    public async Task AddingARoleKeepsExistingTokensValid()
    {
        await using var app = await StartWithAdminAsync(azurite);
        await Admin(app).CreateAsync(Actor, "bob", Password, ["ops"], null, default);
        var before = (await app.Accounts.LoginAsync("bob", Password, default)).Tokens!;

        Assert.Equal(AdminResult.Done, await Admin(app).SetRolesAsync(Actor, "bob", ["ops", "reports"], default));

        Assert.NotNull((await app.AuthenticateAsync(before.AccessToken)).Principal);
        Assert.NotNull((await app.Accounts.RefreshAsync(await RefreshPrincipalAsync(app, before.RefreshToken), default)).Tokens);
    }

    [Fact]
    public async Task ADisabledUserCannotLogInOrRefreshAndItsAccessTokenIsRefusedUntilEnabled()
    {
        await using var app = await StartWithAdminAsync(azurite);
        await Admin(app).CreateAsync(Actor, "bob", Password, null, null, default);
        var before = (await app.Accounts.LoginAsync("bob", Password, default)).Tokens!;

        Assert.Equal(AdminResult.Done, await Admin(app).DisableAsync(Actor, "bob", default));

        Assert.True((await Admin(app).GetAsync("bob", default))!.Disabled);
        Assert.Equal(GrantFailure.InvalidCredentials, (await app.Accounts.LoginAsync("bob", Password, default)).Failure);
        Assert.Equal(GrantFailure.InvalidRefreshToken, (await app.Accounts.RefreshAsync(await RefreshPrincipalAsync(app, before.RefreshToken), default)).Failure);
        Assert.Equal(TokenFailure.Revoked, (await app.AuthenticateAsync(before.AccessToken)).Failure);

        Assert.Equal(AdminResult.Done, await Admin(app).EnableAsync(Actor, "bob", default));
        var after = (await app.Accounts.LoginAsync("bob", Password, default)).Tokens!;
        Assert.NotNull((await app.AuthenticateAsync(after.AccessToken)).Principal);
        Assert.Equal(TokenFailure.Revoked, (await app.AuthenticateAsync(before.AccessToken)).Failure);
    }

    /// <summary>
    /// The admin tool publishes with its own settings, not the issuing app's: the generation that
    /// refuses older access tokens is kept for the longest lifetime and skew any app may use.
    /// </summary>
    [Fact]
    public async Task ARevocationByAnAdminOutlivesTheLongestAccessTokenAnyAppMayIssue()
    {
        await using var app = await StartWithAdminAsync(azurite);
        await Admin(app).CreateAsync(Actor, "bob", Password, null, null, default);

        Assert.Equal(AdminResult.Done, await Admin(app).DisableAsync(Actor, "bob", default));

        var longest = JwtFunctions.Tokens.JwtOptionsValidator.MaxAccessTokenLifetime + JwtFunctions.Tokens.JwtOptionsValidator.MaxClockSkew;
        var later = await app.Get<JwtFunctions.Revocation.RevocationStore>().LoadAsync(DateTimeOffset.UtcNow + longest, default);
        Assert.True(later.Generations.ContainsKey("bob"));
    }

    [Fact]
    public async Task TheLastEnabledAdminCannotBeDemotedDisabledOrDeleted()
    {
        await using var app = await StartWithAdminAsync(azurite);

        Assert.Equal(AdminResult.LastAdmin, await Admin(app).SetRolesAsync(Actor, "root", ["ops"], default));
        Assert.Equal(AdminResult.LastAdmin, await Admin(app).DisableAsync(Actor, "root", default));
        Assert.Equal(AdminResult.LastAdmin, await Admin(app).DeleteAsync(Actor, "root", default));
        Assert.Equal(["admin"], (await Admin(app).GetAsync("root", default))!.Roles);

        // A disabled admin does not count: a second admin, once disabled, still leaves root the last one.
        await Admin(app).CreateAsync(Actor, "second", Password, ["admin"], null, default);
        Assert.Equal(AdminResult.Done, await Admin(app).DisableAsync(Actor, "second", default));
        Assert.Equal(AdminResult.LastAdmin, await Admin(app).SetRolesAsync(Actor, "root", [], default));

        Assert.Equal(AdminResult.Done, await Admin(app).EnableAsync(Actor, "second", default));
        Assert.Equal(AdminResult.Done, await Admin(app).SetRolesAsync(Actor, "root", ["ops"], default));
        Assert.Equal(AdminResult.LastAdmin, await Admin(app).DeleteAsync(Actor, "second", default));
    }

    [Fact]
    public async Task TwoAdminsDemotingEachOtherAtOnceLeaveOneAdmin()
    {
        await using var app = await StartWithAdminAsync(azurite);
        await Admin(app).CreateAsync(Actor, "second", Password, ["admin"], null, default);
        await using var other = await TestServices.StartAsync(azurite, sameAs: app.Settings);

        var results = await Task.WhenAll(
            Admin(app).SetRolesAsync("second", "root", [], default),
            Admin(other).DisableAsync("root", "second", default));

        Assert.Single(results, AdminResult.Done);
        Assert.Single(results, AdminResult.LastAdmin);
        var (page, _) = await Admin(app).ListAsync(null, null, default);
        Assert.Single(page!.Users, u => u.Roles.Contains("admin") && !u.Disabled);
    }

    [Fact]
    public async Task UnlockEndsALockOut()
    {
        await using var app = await StartWithAdminAsync(azurite);
        await Admin(app).CreateAsync(Actor, "bob", Password, null, null, default);
        await FailLoginsAsync(app, "bob", 5);
        Assert.NotNull((await Admin(app).GetAsync("bob", default))!.LockedUntil);
        Assert.Null((await app.Accounts.LoginAsync("bob", Password, default)).Tokens);

        Assert.Equal(AdminResult.Done, await Admin(app).UnlockAsync(Actor, "bob", default));

        Assert.Null((await Admin(app).GetAsync("bob", default))!.LockedUntil);
        Assert.NotNull((await app.Accounts.LoginAsync("bob", Password, default)).Tokens);
    }

    [Fact]
    public async Task AResetPasswordReplacesTheOldOneAndRevokesEveryToken()
    {
        await using var app = await StartWithAdminAsync(azurite);
        await Admin(app).CreateAsync(Actor, "bob", Password, null, null, default);
        var before = (await app.Accounts.LoginAsync("bob", Password, default)).Tokens!;

        Assert.Equal(AdminResult.InvalidPassword, await Admin(app).ResetPasswordAsync(Actor, "bob", "short", default));
        Assert.Equal(AdminResult.CommonPassword, await Admin(app).ResetPasswordAsync(Actor, "bob", "qwerty123456", default));
        Assert.Equal(AdminResult.Done, await Admin(app).ResetPasswordAsync(Actor, "bob", "another-twelve", default));

        Assert.Equal(TokenFailure.Revoked, (await app.AuthenticateAsync(before.AccessToken)).Failure);
        Assert.Null((await app.Accounts.LoginAsync("bob", Password, default)).Tokens);
        Assert.NotNull((await app.Accounts.LoginAsync("bob", "another-twelve", default)).Tokens);
    }

    [Fact]
    public async Task RevokeAllEndsEveryTokenButNotTheAccount()
    {
        await using var app = await StartWithAdminAsync(azurite);
        await Admin(app).CreateAsync(Actor, "bob", Password, null, null, default);
        var before = (await app.Accounts.LoginAsync("bob", Password, default)).Tokens!;

        Assert.Equal(AdminResult.Done, await Admin(app).RevokeAllAsync(Actor, "bob", default));

        Assert.Equal(TokenFailure.Revoked, (await app.AuthenticateAsync(before.AccessToken)).Failure);
        Assert.Equal(GrantFailure.InvalidRefreshToken, (await app.Accounts.RefreshAsync(await RefreshPrincipalAsync(app, before.RefreshToken), default)).Failure);
        Assert.NotNull((await app.Accounts.LoginAsync("bob", Password, default)).Tokens);
    }

    [Fact]
    public async Task DeleteRevokesEverythingAndRemovesTheRowsAndTheNameCanBeCreatedAgain()
    {
        await using var app = await StartWithAdminAsync(azurite);
        await Admin(app).CreateAsync(Actor, "bob", Password, null, null, default);
        await FailLoginsAsync(app, "bob", 1);
        var before = (await app.Accounts.LoginAsync("bob", Password, default)).Tokens!;

        Assert.Equal(AdminResult.Done, await Admin(app).DeleteAsync(Actor, "bob", default));

        Assert.Null(await Admin(app).GetAsync("bob", default));
        Assert.Equal(TokenFailure.Revoked, (await app.AuthenticateAsync(before.AccessToken)).Failure);
        Assert.Empty(await RowsAsync(app, "Storage:UsersTable", "bob"));
        Assert.Empty(await RowsAsync(app, "Storage:RefreshTokensTable", "bob"));
        Assert.Equal(AdminResult.NotFound, await Admin(app).DeleteAsync(Actor, "bob", default));

        // Created again: its new tokens are accepted, the old account's still are not.
        Assert.Equal(AdminResult.Done, await Admin(app).CreateAsync(Actor, "bob", "another-twelve", null, null, default));
        var again = (await app.Accounts.LoginAsync("bob", "another-twelve", default)).Tokens!;
        Assert.NotNull((await app.AuthenticateAsync(again.AccessToken)).Principal);
        Assert.Equal(TokenFailure.Revoked, (await app.AuthenticateAsync(before.AccessToken)).Failure);
        Assert.Equal(GrantFailure.InvalidRefreshToken, (await app.Accounts.RefreshAsync(await RefreshPrincipalAsync(app, before.RefreshToken), default)).Failure);
    }

    [Theory]
    [InlineData("nobody")]
    [InlineData("x")]
    [InlineData(null)]
    public async Task EveryActionOnAnUnknownUserIsNotFound(string? username)
    {
        await using var app = await StartWithAdminAsync(azurite);
        var admin = Admin(app);

        Assert.Null(await admin.GetAsync(username, default));
        Assert.Equal(AdminResult.NotFound, await admin.SetRolesAsync(Actor, username, ["ops"], default));
        Assert.Equal(AdminResult.NotFound, await admin.SetScopeAsync(Actor, username, "a", default));
        Assert.Equal(AdminResult.NotFound, await admin.DisableAsync(Actor, username, default));
        Assert.Equal(AdminResult.NotFound, await admin.EnableAsync(Actor, username, default));
        Assert.Equal(AdminResult.NotFound, await admin.UnlockAsync(Actor, username, default));
        Assert.Equal(AdminResult.NotFound, await admin.ResetPasswordAsync(Actor, username, "another-twelve", default));
        Assert.Equal(AdminResult.NotFound, await admin.RevokeAllAsync(Actor, username, default));
        Assert.Equal(AdminResult.NotFound, await admin.DeleteAsync(Actor, username, default));
    }

    [Fact]
    public async Task AConsoleToolBuildsItFromAConnectionStringAloneAndSharesTheAppsStores()
    {
        await using var app = await TestServices.StartAsync(azurite);

        // What the admin CLI does: no signing key, no Functions host, only storage settings.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage:UsersTable"] = app.Settings["Storage:UsersTable"],
            ["Storage:RefreshTokensTable"] = app.Settings["Storage:RefreshTokensTable"],
            ["Storage:RevocationsTable"] = app.Settings["Storage:RevocationsTable"],
        }).Build();
        await using var cli = new ServiceCollection().AddUserAdministration(configuration)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.Equal(AdminResult.Done, await cli.GetRequiredService<UserAdministration>().CreateAsync("cli", "carol", Password, ["admin"], null, default));

        var grant = await app.Accounts.LoginAsync("carol", Password, default);
        Assert.NotNull(grant.Tokens);
        Assert.Equal(AdminResult.Done, await cli.GetRequiredService<UserAdministration>().RevokeAllAsync("cli", "carol", default));
        await app.Get<JwtFunctions.Revocation.RevocationList>().RefreshAsync(default);
        Assert.Equal(TokenFailure.Revoked, (await app.AuthenticateAsync(grant.Tokens!.AccessToken)).Failure);
    }

    private static async Task FailLoginsAsync(TestServices app, string user, int times)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.Null((await app.Accounts.LoginAsync(user, "wrong-password", default)).Tokens);
        }
    }

    private async Task<List<TableEntity>> RowsAsync(TestServices app, string tableSetting, string partition)
    {
        var table = azurite.CreateServiceClient().GetTableClient(app.Settings[tableSetting]);
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}")))
        {
            rows.Add(row);
        }

        return rows;
    }
}
