using System.Text.Json;
using JwtFunctions.Authentication;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.Tokens;
using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.Tests.Tokens;

/// <summary>RFC 9068 §2.2.3: <c>roles</c> as a JSON array of strings, <c>scope</c> as one space-separated string.</summary>
public sealed class TokenRolesAndScopeTests
{
    private readonly string _key = TestKeys.NewBase64Key();

    private byte[] KeyBytes => Convert.FromBase64String(_key);

    [Fact]
    public async Task AnAccessTokenCarriesRolesAsAnArrayAndScopeAsAStringAndValidationReadsThemBack()
    {
        var service = await TestKeys.TokenServiceAsync(_key);
        var token = service.CreateAccessToken((await service.GetKeysAsync(default))!, "alice", "s", 7, ["admin", "ops"], "reports:read reports:export").Value;

        var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(token.Split('.')[1])).RootElement;
        Assert.Equal("""["admin","ops"]""", payload.GetProperty("roles").GetRawText());
        Assert.Equal("reports:read reports:export", payload.GetProperty("scope").GetString());

        var principal = (await service.ValidateAsync(token, TokenKind.Access, default)).Principal!;
        Assert.Equal(["admin", "ops"], principal.Roles);
        Assert.Equal("reports:read reports:export", principal.Scope);
        Assert.True(principal.IsInRole("admin"));
        Assert.False(principal.IsInRole("Admin"));
        Assert.True(principal.HasScope("reports:export"));
        Assert.False(principal.HasScope("reports"));
        Assert.False(principal.HasScope("reports:read reports:export"));
    }

    [Fact]
    public async Task NoRolesAndNoScopeWriteNeitherClaim()
    {
        var service = await TestKeys.TokenServiceAsync(_key);
        var token = service.CreateAccessToken((await service.GetKeysAsync(default))!, "alice", "s", 0, [], string.Empty).Value;

        var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(token.Split('.')[1])).RootElement;
        Assert.False(payload.TryGetProperty("roles", out _));
        Assert.False(payload.TryGetProperty("scope", out _));
        var principal = (await service.ValidateAsync(token, TokenKind.Access, default)).Principal!;
        Assert.Empty(principal.Roles);
        Assert.Equal(string.Empty, principal.Scope);
    }

    /// <summary>A claim of the wrong JSON type grants nothing; the token itself stays valid (it is signed by us).</summary>
    [Theory]
    [InlineData("roles", "\"admin\"")]
    [InlineData("roles", "1")]
    [InlineData("roles", "{\"admin\":true}")]
    [InlineData("roles", "null")]
    [InlineData("roles", "[\"admin\",1]")]
    [InlineData("roles", "[[\"admin\"]]")]
    [InlineData("roles", "[\"admin\",null]")]
    [InlineData("scope", "[\"admin\"]")]
    [InlineData("scope", "7")]
    [InlineData("scope", "{\"a\":\"admin\"}")]
    public async Task AMistypedRolesOrScopeClaimGrantsNothing(string claim, string json)
    {
        var service = await TestKeys.TokenServiceAsync(_key);
        var claims = TokenForge.Claims(sub: "alice");
        claims[claim] = JsonDocument.Parse(json).RootElement.Clone();

        var result = await service.ValidateAsync(TokenForge.Sign(TokenForge.Header(), claims, KeyBytes), TokenKind.Access, default);

        Assert.True(result.Succeeded, result.Failure.ToString());
        Assert.Empty(result.Principal!.Roles);
        Assert.Equal(string.Empty, result.Principal.Scope);
        Assert.Equal(AccessShortfall.Role, new AccessRequirement(["admin"], []).Check(result.Principal));
        Assert.Equal(AccessShortfall.Scope, new AccessRequirement([], ["admin"]).Check(result.Principal));
    }

    [Fact]
    public void TheClaimsPrincipalAnswersIsInRoleNameAndFindFirst()
    {
        var principal = FunctionContextTokenExtensions.ToClaimsPrincipal(
            new TokenPrincipal("alice", "jti", "sid", TokenKind.Access, DateTimeOffset.UtcNow, 3) { Roles = ["admin", "ops"], Scope = "a b" });

        Assert.True(principal.Identity!.IsAuthenticated);
        Assert.Equal("Bearer", principal.Identity.AuthenticationType);
        Assert.Equal("alice", principal.Identity.Name);
        Assert.True(principal.IsInRole("admin"));
        Assert.True(principal.IsInRole("ops"));
        Assert.False(principal.IsInRole("reports"));
        Assert.Equal("a b", principal.FindFirst("scope")!.Value);
        Assert.Equal("sid", principal.FindFirst("sid")!.Value);
    }
}
