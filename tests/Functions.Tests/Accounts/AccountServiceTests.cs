using System.Diagnostics;
using JwtFunctions.Accounts;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.Tokens;

namespace JwtFunctions.Tests.Accounts;

[Collection(AzuriteCollection.Name)]
public sealed class AccountServiceTests(AzuriteFixture azurite)
{
    private const string Password = "twelve-chars";

    private async Task<(TestServices App, TokenPair Tokens)> LoggedInAsync(string user = "alice")
    {
        var app = await TestServices.StartAsync(azurite);
        Assert.Equal(RegistrationResult.Created, await app.Accounts.RegisterAsync(user, Password, default));
        var grant = await app.Accounts.LoginAsync(user, Password, default);
        return (app, grant.Tokens!);
    }

    private static async Task<TokenPrincipal> RefreshPrincipalAsync(TestServices app, string token)
    {
        var validation = await app.Tokens.ValidateAsync(token, TokenKind.Refresh, default);
        Assert.True(validation.Succeeded, validation.Failure.ToString());
        return validation.Principal!;
    }

    [Fact]
    public async Task TwelveCharacterPasswordRegistersAndLogsIn()
    {
        var (app, tokens) = await LoggedInAsync();
        await using var _ = app;

        Assert.Equal(12, Password.Length);
        Assert.Equal(900, tokens.ExpiresIn);
        var access = await app.Tokens.ValidateAsync(tokens.AccessToken, TokenKind.Access, default);
        Assert.Equal("alice", access.Principal!.Subject);
    }

    [Fact]
    public async Task UsernameIsCaseInsensitive()
    {
        var (app, _) = await LoggedInAsync("MixedCase");
        await using var __ = app;

        Assert.Equal(RegistrationResult.UsernameTaken, await app.Accounts.RegisterAsync("mixedcase", Password, default));
        var grant = await app.Accounts.LoginAsync("MIXEDCASE", Password, default);
        Assert.Equal("mixedcase", (await app.Tokens.ValidateAsync(grant.Tokens!.AccessToken, TokenKind.Access, default)).Principal!.Subject);
    }

    [Fact]
    public async Task UnknownUserAndWrongPasswordAreRefusedIdentically()
    {
        var (app, _) = await LoggedInAsync();
        await using var __ = app;

        var unknown = await app.Accounts.LoginAsync("nobody-here", Password, default);
        var wrong = await app.Accounts.LoginAsync("alice", "wrong-password", default);

        // The same answer; the same work (hashes and storage round trips) is counted, not timed,
        // in LoginWorkTests.
        Assert.Equal(unknown, wrong);
        Assert.Equal(GrantFailure.InvalidCredentials, unknown.Failure);
    }

    [Fact]
    public async Task MalformedUsernameCostsTheSameHashAndTheSameAnswer()
    {
        var (app, _) = await LoggedInAsync();
        await using var __ = app;

        var grant = await app.Accounts.LoginAsync("bad/name#", Password, default);

        // That it pays the dummy hash is shown without a clock in PasswordHashSlotLoginTests
        // (it needs a hashing slot like every other login).
        Assert.Equal(GrantFailure.InvalidCredentials, grant.Failure);
    }

    [Fact]
    public async Task RefreshRotatesBothTokens()
    {
        var (app, first) = await LoggedInAsync();
        await using var _ = app;

        var second = await app.Accounts.RefreshAsync(await RefreshPrincipalAsync(app, first.RefreshToken), default);

        Assert.NotNull(second.Tokens);
        Assert.NotEqual(first.RefreshToken, second.Tokens.RefreshToken);
        Assert.NotEqual(first.AccessToken, second.Tokens.AccessToken);
        var third = await app.Accounts.RefreshAsync(await RefreshPrincipalAsync(app, second.Tokens.RefreshToken), default);
        Assert.NotNull(third.Tokens);
    }

    [Fact]
    public async Task ReusedRefreshTokenRevokesTheFamilyIncludingItsSuccessor()
    {
        var (app, first) = await LoggedInAsync();
        await using var _ = app;
        var original = await RefreshPrincipalAsync(app, first.RefreshToken);
        var rotated = await app.Accounts.RefreshAsync(original, default);

        var replay = await app.Accounts.RefreshAsync(original, default);
        var successor = await app.Accounts.RefreshAsync(await RefreshPrincipalAsync(app, rotated.Tokens!.RefreshToken), default);

        Assert.Equal(GrantFailure.InvalidRefreshToken, replay.Failure);
        Assert.Equal(GrantFailure.InvalidRefreshToken, successor.Failure);
    }

    [Fact]
    public async Task ConcurrentRefreshesOfOneTokenIssueExactlyOnce()
    {
        var (app, first) = await LoggedInAsync();
        await using var _ = app;
        var principal = await RefreshPrincipalAsync(app, first.RefreshToken);

        var grants = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => app.Accounts.RefreshAsync(principal, default)));

        Assert.Equal(1, grants.Count(g => g.Tokens is not null));
    }

    [Fact]
    public async Task LogoutEndsThisSessionOnly()
    {
        var (app, phone) = await LoggedInAsync();
        await using var _ = app;
        var laptop = (await app.Accounts.LoginAsync("alice", Password, default)).Tokens!;
        var phoneAccess = (await app.Tokens.ValidateAsync(phone.AccessToken, TokenKind.Access, default)).Principal!;

        await app.Accounts.LogoutAsync(phoneAccess, everywhere: false, default);

        Assert.Equal(GrantFailure.InvalidRefreshToken, (await app.Accounts.RefreshAsync(await RefreshPrincipalAsync(app, phone.RefreshToken), default)).Failure);
        Assert.NotNull((await app.Accounts.RefreshAsync(await RefreshPrincipalAsync(app, laptop.RefreshToken), default)).Tokens);
    }

    [Fact]
    public async Task LogoutEverywhereEndsEverySession()
    {
        var (app, phone) = await LoggedInAsync();
        await using var _ = app;
        var laptop = (await app.Accounts.LoginAsync("alice", Password, default)).Tokens!;
        var phoneAccess = (await app.Tokens.ValidateAsync(phone.AccessToken, TokenKind.Access, default)).Principal!;

        await app.Accounts.LogoutAsync(phoneAccess, everywhere: true, default);

        Assert.Equal(GrantFailure.InvalidRefreshToken, (await app.Accounts.RefreshAsync(await RefreshPrincipalAsync(app, phone.RefreshToken), default)).Failure);
        Assert.Equal(GrantFailure.InvalidRefreshToken, (await app.Accounts.RefreshAsync(await RefreshPrincipalAsync(app, laptop.RefreshToken), default)).Failure);
    }

    [Fact]
    public async Task AccessTokenCannotBeUsedToRefresh()
    {
        var (app, tokens) = await LoggedInAsync();
        await using var _ = app;
        var access = (await app.Tokens.ValidateAsync(tokens.AccessToken, TokenKind.Access, default)).Principal!;

        Assert.Equal(GrantFailure.InvalidRefreshToken, (await app.Accounts.RefreshAsync(access, default)).Failure);
    }

    [Theory]
    [InlineData("ab", "twelve-chars", RegistrationResult.InvalidUsername)]
    [InlineData("a/b", "twelve-chars", RegistrationResult.InvalidUsername)]
    [InlineData("valid-name", "eleven-char", RegistrationResult.InvalidPassword)]
    [InlineData("valid-name", null, RegistrationResult.InvalidPassword)]
    [InlineData(null, "twelve-chars", RegistrationResult.InvalidUsername)]
    public async Task InvalidRegistrationIsRefusedAndStoresNothing(string? user, string? password, RegistrationResult expected)
    {
        await using var app = await TestServices.StartAsync(azurite);

        Assert.Equal(expected, await app.Accounts.RegisterAsync(user, password, default));
        Assert.Equal(GrantFailure.InvalidCredentials, (await app.Accounts.LoginAsync("valid-name", "twelve-chars", default)).Failure);
    }

    [Fact]
    public async Task RegistrationIsOffByDefault()
    {
        Assert.False(new AccountOptions().RegistrationEnabled);
        await using var app = await TestServices.StartAsync(azurite, registration: false);
        Assert.Equal(RegistrationResult.Disabled, await app.Accounts.RegisterAsync("someone", Password, default));
    }

    [Theory]
    [InlineData("c2hvcnQ=")]
    [InlineData("@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/jwt-signing-key/)")]
    public async Task WeakOrUnresolvedKeyRefusesToIssueTokens(string key)
    {
        await using var app = await TestServices.StartAsync(azurite, signingKey: key);
        await app.Accounts.RegisterAsync("alice", Password, default);

        Assert.Equal(GrantFailure.KeysUnavailable, (await app.Accounts.LoginAsync("alice", Password, default)).Failure);
    }
}

/// <summary>Common passwords (NIST SP 800-63B §3.1.1.2) are refused wherever a new password is set, before any hash or row.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CommonNewPasswordTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task RegistrationWithACommonPasswordIsRefusedAndCreatesNoAccount()
    {
        await using var app = await TestServices.StartAsync(azurite);

        Assert.Equal(RegistrationResult.CommonPassword, await app.Accounts.RegisterAsync("alice", "Qwerty123456", default));

        Assert.Null(await app.Get<UserStore>().FindAsync("alice", default));
    }

    [Fact]
    public async Task APasswordChangeToACommonPasswordIsRefusedAndTheOldOneStillWorks()
    {
        await using var app = await TestServices.StartAsync(azurite);
        Assert.Equal(RegistrationResult.Created, await app.Accounts.RegisterAsync("alice", "twelve-chars", default));
        var grant = await app.Accounts.LoginAsync("alice", "twelve-chars", default);
        var caller = (await app.Tokens.ValidateAsync(grant.Tokens!.AccessToken, TokenKind.Access, default)).Principal!;

        Assert.Equal(PasswordChangeResult.CommonNewPassword, await app.Accounts.ChangePasswordAsync(caller, "twelve-chars", "passwordpassword", default));

        Assert.NotNull((await app.Accounts.LoginAsync("alice", "twelve-chars", default)).Tokens);
    }
}
