using JwtFunctions.Accounts;
using JwtFunctions.Revocation;
using JwtFunctions.TestSupport;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.Tokens;

namespace JwtFunctions.Tests.Authentication;

/// <summary>The Bearer check against the revocation list, over Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BearerRevocationTests(AzuriteFixture azurite)
{
    private const string Password = "twelve-chars";

    private static async Task<TokenPair> LoginAsync(TestServices app, string user = "alice")
    {
        await app.Accounts.RegisterAsync(user, Password, default);
        return (await app.Accounts.LoginAsync(user, Password, default)).Tokens!;
    }

    private static async Task<TokenPrincipal> PrincipalAsync(TestServices app, string accessToken) =>
        (await app.Tokens.ValidateAsync(accessToken, TokenKind.Access, default)).Principal!;

    [Fact]
    public async Task ValidAccessTokenYieldsThePrincipal()
    {
        await using var app = await TestServices.StartAsync(azurite);
        var tokens = await LoginAsync(app);

        var outcome = await app.AuthenticateAsync(tokens.AccessToken);

        Assert.Equal("alice", outcome.Principal!.Subject);
    }

    [Fact]
    public async Task LogoutRevokesTheAccessTokenUsedForIt()
    {
        await using var app = await TestServices.StartAsync(azurite);
        var phone = await LoginAsync(app);
        var laptop = (await app.Accounts.LoginAsync("alice", Password, default)).Tokens!;

        await app.Accounts.LogoutAsync(await PrincipalAsync(app, phone.AccessToken), everywhere: false, default);

        Assert.Equal(TokenFailure.Revoked, (await app.AuthenticateAsync(phone.AccessToken)).Failure);
        Assert.NotNull((await app.AuthenticateAsync(laptop.AccessToken)).Principal);
    }

    [Fact]
    public async Task LogoutEverywhereMakesEveryOlderAccessTokenFail()
    {
        await using var app = await TestServices.StartAsync(azurite);
        var phone = await LoginAsync(app);
        var laptop = (await app.Accounts.LoginAsync("alice", Password, default)).Tokens!;

        await app.Accounts.LogoutAsync(await PrincipalAsync(app, phone.AccessToken), everywhere: true, default);

        Assert.Equal(TokenFailure.Revoked, (await app.AuthenticateAsync(phone.AccessToken)).Failure);
        Assert.Equal(TokenFailure.Revoked, (await app.AuthenticateAsync(laptop.AccessToken)).Failure);
        var fresh = (await app.Accounts.LoginAsync("alice", Password, default)).Tokens!;
        Assert.NotNull((await app.AuthenticateAsync(fresh.AccessToken)).Principal);
    }

    [Fact]
    public async Task ARevokedAccessTokenStaysRefusedInsideTheClockSkewAfterItsExpiry()
    {
        // Issued 15.5 minutes ago: by now its exp is 30 s past, which validation still accepts
        // within the 1-minute clock skew. Its deny-list entry must outlive that window.
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(15.5));
        await using var app = await TestServices.StartAsync(azurite, time: clock);
        var tokens = await LoginAsync(app);
        var caller = await PrincipalAsync(app, tokens.AccessToken);
        Assert.True(await app.Get<TokenRevoker>().RevokeAsync(tokens.AccessToken, "access_token", default));

        clock.Now = DateTimeOffset.UtcNow;
        Assert.True(caller.ExpiresAt < clock.Now && caller.ExpiresAt + app.Tokens.Options.ClockSkew > clock.Now);
        Assert.True(await app.Get<RevocationList>().RefreshAsync(default));

        Assert.Equal(TokenFailure.Revoked, (await app.AuthenticateAsync(tokens.AccessToken)).Failure);
    }

    [Fact]
    public async Task LogoutEndsEveryAccessTokenOfTheSessionNotOnlyTheOneUsed()
    {
        await using var app = await TestServices.StartAsync(azurite);
        var first = await LoginAsync(app);
        var refreshed = (await app.Accounts.RefreshAsync((await app.Tokens.ValidateAsync(first.RefreshToken, TokenKind.Refresh, default)).Principal!, default)).Tokens!;
        var otherSession = (await app.Accounts.LoginAsync("alice", Password, default)).Tokens!;

        await app.Accounts.LogoutAsync(await PrincipalAsync(app, refreshed.AccessToken), everywhere: false, default);

        Assert.Equal(TokenFailure.Revoked, (await app.AuthenticateAsync(refreshed.AccessToken)).Failure);
        Assert.Equal(TokenFailure.Revoked, (await app.AuthenticateAsync(first.AccessToken)).Failure);
        Assert.NotNull((await app.AuthenticateAsync(otherSession.AccessToken)).Principal);
    }

    [Fact]
    public async Task Rfc7009RevocationOfARefreshTokenEndsTheAccessTokensOfItsSession()
    {
        await using var first = await TestServices.StartAsync(azurite);
        await using var second = await TestServices.StartAsync(azurite, sameAs: first.Settings);
        var tokens = await LoginAsync(first);

        Assert.True(await first.Get<TokenRevoker>().RevokeAsync(tokens.RefreshToken, "refresh_token", default));

        Assert.Equal(TokenFailure.Revoked, (await first.AuthenticateAsync(tokens.AccessToken)).Failure);
        Assert.True(await second.Get<RevocationList>().RefreshAsync(default));
        Assert.Equal(TokenFailure.Revoked, (await second.AuthenticateAsync(tokens.AccessToken)).Failure);
    }

    [Fact]
    public async Task DetectedReuseEndsTheAccessTokensOfTheSession()
    {
        await using var app = await TestServices.StartAsync(azurite);
        var stolen = await LoginAsync(app);
        var refreshPrincipal = (await app.Tokens.ValidateAsync(stolen.RefreshToken, TokenKind.Refresh, default)).Principal!;
        var legitimate = (await app.Accounts.RefreshAsync(refreshPrincipal, default)).Tokens!;

        Assert.Equal(GrantFailure.InvalidRefreshToken, (await app.Accounts.RefreshAsync(refreshPrincipal, default)).Failure);

        Assert.Equal(TokenFailure.Revoked, (await app.AuthenticateAsync(stolen.AccessToken)).Failure);
        Assert.Equal(TokenFailure.Revoked, (await app.AuthenticateAsync(legitimate.AccessToken)).Failure);
    }

    [Fact]
    public async Task RevocationOnOneInstanceReachesAnotherAtItsNextReload()
    {
        await using var first = await TestServices.StartAsync(azurite);
        await using var second = await TestServices.StartAsync(azurite, sameAs: first.Settings);
        var tokens = await LoginAsync(first);
        Assert.NotNull((await second.AuthenticateAsync(tokens.AccessToken)).Principal);

        await first.Get<TokenRevoker>().RevokeAsync(tokens.AccessToken, "access_token", default);
        Assert.NotNull((await second.AuthenticateAsync(tokens.AccessToken)).Principal); // not reloaded yet

        Assert.True(await second.Get<RevocationList>().RefreshAsync(default));
        Assert.Equal(TokenFailure.Revoked, (await second.AuthenticateAsync(tokens.AccessToken)).Failure);
    }

    [Fact]
    public async Task Rfc7009RevocationOfARefreshTokenEndsItsFamily()
    {
        await using var app = await TestServices.StartAsync(azurite);
        var tokens = await LoginAsync(app);

        Assert.True(await app.Get<TokenRevoker>().RevokeAsync(tokens.RefreshToken, "refresh_token", default));

        var refresh = (await app.Tokens.ValidateAsync(tokens.RefreshToken, TokenKind.Refresh, default)).Principal!;
        Assert.Equal(GrantFailure.InvalidRefreshToken, (await app.Accounts.RefreshAsync(refresh, default)).Failure);
    }

    [Theory]
    [InlineData("not-a-token", null)]
    [InlineData("a.b.c", "access_token")]
    [InlineData("eyJhbGciOiJub25lIn0.e30.", "refresh_token")]
    public async Task Rfc7009RevocationOfAnUnknownTokenSucceedsAndChangesNothing(string token, string? hint)
    {
        await using var app = await TestServices.StartAsync(azurite);
        var tokens = await LoginAsync(app);

        Assert.True(await app.Get<TokenRevoker>().RevokeAsync(token, hint, default));

        Assert.NotNull((await app.AuthenticateAsync(tokens.AccessToken)).Principal);
    }

    [Fact]
    public async Task PasswordChangeRevokesEveryTokenAndOnlyTheNewPasswordWorks()
    {
        await using var app = await TestServices.StartAsync(azurite);
        var tokens = await LoginAsync(app);
        var caller = await PrincipalAsync(app, tokens.AccessToken);

        Assert.Equal(PasswordChangeResult.WrongPassword, await app.Accounts.ChangePasswordAsync(caller, "not-my-password", "a-new-password", default));
        Assert.Equal(PasswordChangeResult.InvalidNewPassword, await app.Accounts.ChangePasswordAsync(caller, Password, "short", default));
        Assert.Equal(PasswordChangeResult.Changed, await app.Accounts.ChangePasswordAsync(caller, Password, "a-new-password", default));

        Assert.Equal(TokenFailure.Revoked, (await app.AuthenticateAsync(tokens.AccessToken)).Failure);
        var refresh = (await app.Tokens.ValidateAsync(tokens.RefreshToken, TokenKind.Refresh, default)).Principal!;
        Assert.Equal(GrantFailure.InvalidRefreshToken, (await app.Accounts.RefreshAsync(refresh, default)).Failure);
        Assert.Equal(GrantFailure.InvalidCredentials, (await app.Accounts.LoginAsync("alice", Password, default)).Failure);
        Assert.NotNull((await app.Accounts.LoginAsync("alice", "a-new-password", default)).Tokens);
    }

    [Fact]
    public async Task RevocationListNeverLoadedRefusesWith503NotAcceptance()
    {
        var closed = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};TableEndpoint=http://127.0.0.1:{FreePort.Next()}/devstoreaccount1;";
        await using var app = await TestServices.StartAsync(azurite, connectionString: closed);
        var token = app.Tokens.CreateAccessToken((await app.Tokens.GetKeysAsync(default))!, "alice", "s").Value;

        var outcome = await app.AuthenticateAsync(token);

        Assert.Null(outcome.Principal);
        Assert.Equal(TokenFailure.RevocationListUnavailable, outcome.Failure);
        Assert.True(TokenFailures.IsUnavailable(outcome.Failure));
    }
}
