using System.Text.Json;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.Tokens;
using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.Tests.Tokens;

public sealed class TokenServiceTests
{
    private readonly string _key = TestKeys.NewBase64Key();

    private byte[] KeyBytes => Convert.FromBase64String(_key);

    private Task<TokenService> ServiceAsync(JwtOptions? options = null, TimeProvider? time = null) => TestKeys.TokenServiceAsync(_key, options, time);

    [Fact]
    public async Task AccessTokenRoundTripsWithSubjectSessionAndId()
    {
        var service = await ServiceAsync();
        var keys = await service.GetKeysAsync(default);
        var issued = service.CreateAccessToken(keys!, "alice", "session-1");

        var result = await service.ValidateAsync(issued.Value, TokenKind.Access, default);

        Assert.True(result.Succeeded, result.Failure.ToString());
        Assert.Equal("alice", result.Principal!.Subject);
        Assert.Equal("session-1", result.Principal.SessionId);
        Assert.Equal(issued.TokenId, result.Principal.TokenId);
        Assert.Equal(TokenKind.Access, result.Principal.Kind);
    }

    [Fact]
    public async Task IssuedTokenCarriesPinnedAlgorithmTypeKeyIdAndAllRegisteredClaims()
    {
        var service = await ServiceAsync();
        var token = service.CreateRefreshToken((await service.GetKeysAsync(default))!, "alice", "s", "jti-1").Value;
        var parts = token.Split('.');
        var header = JsonDocument.Parse(Base64UrlEncoder.Decode(parts[0])).RootElement;
        var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(parts[1])).RootElement;

        Assert.Equal("HS256", header.GetProperty("alg").GetString());
        Assert.Equal("rt+jwt", header.GetProperty("typ").GetString());
        Assert.Equal("local", header.GetProperty("kid").GetString());
        foreach (var claim in new[] { "sub", "jti", "iat", "nbf", "exp", "iss", "aud", "sid" })
        {
            Assert.True(payload.TryGetProperty(claim, out _), $"missing {claim}");
        }

        Assert.Equal("jti-1", payload.GetProperty("jti").GetString());
        Assert.Equal(30 * 24 * 3600, payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64());
    }

    [Fact]
    public async Task DefaultLifetimesFollowFlaskJwtExtended()
    {
        var options = new JwtOptions();
        Assert.Equal(TimeSpan.FromMinutes(15), options.AccessTokenLifetime);
        Assert.Equal(TimeSpan.FromDays(30), options.RefreshTokenLifetime);
        Assert.Equal(TimeSpan.FromSeconds(60), options.ClockSkew);

        var service = await ServiceAsync();
        var before = DateTimeOffset.UtcNow;
        var issued = service.CreateAccessToken((await service.GetKeysAsync(default))!, "alice", "s");
        Assert.InRange(issued.ExpiresAt - before, TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task RefreshTokenIsRefusedWhereAnAccessTokenIsRequired()
    {
        var service = await ServiceAsync();
        var refresh = service.CreateRefreshToken((await service.GetKeysAsync(default))!, "alice", "s", "j").Value;

        var result = await service.ValidateAsync(refresh, TokenKind.Access, default);

        // Refused on its audience before its typ is looked at: a refresh token is addressed to the
        // token service itself (RFC 8725 §3.12), so even a verifier that ignores typ refuses it.
        Assert.Equal(TokenFailure.InvalidAudience, result.Failure);
    }

    [Fact]
    public async Task AccessTokenIsRefusedWhereARefreshTokenIsRequired()
    {
        var service = await ServiceAsync();
        var access = service.CreateAccessToken((await service.GetKeysAsync(default))!, "alice", "s").Value;

        var result = await service.ValidateAsync(access, TokenKind.Refresh, default);

        Assert.Equal(TokenFailure.InvalidAudience, result.Failure);
    }

    [Fact]
    public async Task ExpiredTokenIsRejectedAsExpired()
    {
        var service = await ServiceAsync();
        var token = TokenForge.Sign(TokenForge.Header(), TokenForge.Claims(DateTimeOffset.UtcNow.AddHours(-1)), KeyBytes);

        Assert.Equal(TokenFailure.Expired, (await service.ValidateAsync(token, TokenKind.Access, default)).Failure);
    }

    [Fact]
    public async Task TokenExpiredWithinTheClockSkewIsStillAccepted()
    {
        var service = await ServiceAsync();
        var claims = TokenForge.Claims(DateTimeOffset.UtcNow.AddMinutes(-15).AddSeconds(-30));
        var token = TokenForge.Sign(TokenForge.Header(), claims, KeyBytes);

        Assert.True((await service.ValidateAsync(token, TokenKind.Access, default)).Succeeded);
    }

    [Fact]
    public async Task ForgedTokenWithCorrectClaimsIsAccepted()
    {
        // Guards the tests below: the forge makes tokens the service accepts, so each refusal is the one broken part.
        var service = await ServiceAsync();
        var token = TokenForge.Sign(TokenForge.Header(), TokenForge.Claims(), KeyBytes);

        Assert.True((await service.ValidateAsync(token, TokenKind.Access, default)).Succeeded);
    }

    public static TheoryData<string, TokenFailure> BrokenTokens()
    {
        var data = new TheoryData<string, TokenFailure>();
        void Add(string name, TokenFailure failure) => data.Add(name, failure);
        Add("tampered-payload", TokenFailure.InvalidSignature);
        Add("stripped-signature", TokenFailure.InvalidSignature);
        Add("alg-none", TokenFailure.InvalidAlgorithm);
        Add("alg-None", TokenFailure.InvalidAlgorithm);
        Add("alg-NONE", TokenFailure.InvalidAlgorithm);
        Add("alg-HS512", TokenFailure.InvalidAlgorithm);
        Add("alg-HS384", TokenFailure.InvalidAlgorithm);
        Add("alg-RS256", TokenFailure.InvalidAlgorithm);
        Add("alg-hs256", TokenFailure.InvalidAlgorithm);
        Add("wrong-issuer", TokenFailure.InvalidIssuer);
        Add("wrong-audience", TokenFailure.InvalidAudience);
        Add("missing-audience", TokenFailure.InvalidAudience);
        Add("missing-exp", TokenFailure.MissingLifetime);
        Add("nbf-future", TokenFailure.NotYetValid);
        Add("iat-future", TokenFailure.NotYetValid);
        Add("other-key-same-kid", TokenFailure.InvalidSignature);
        Add("unknown-kid", TokenFailure.UnknownKey);
        Add("no-kid", TokenFailure.UnknownKey);
        Add("typ-jwt", TokenFailure.WrongTokenType);
        Add("typ-missing", TokenFailure.WrongTokenType);
        Add("typ-empty", TokenFailure.WrongTokenType);
        Add("typ-upper-case", TokenFailure.WrongTokenType);
        Add("sub-number", TokenFailure.InvalidSubject);
        Add("sub-missing", TokenFailure.InvalidSubject);
        Add("two-segments", TokenFailure.Malformed);
        Add("five-segments", TokenFailure.Malformed);
        Add("not-base64", TokenFailure.Malformed);
        Add("unknown-crit", TokenFailure.Invalid);
        return data;
    }

    [Theory]
    [MemberData(nameof(BrokenTokens))]
    public async Task BrokenTokenIsRefusedWithItsFailureKind(string name, TokenFailure expected)
    {
        var service = await ServiceAsync();
        var token = Make(name);

        var result = await service.ValidateAsync(token, TokenKind.Access, default);

        Assert.False(result.Succeeded);
        Assert.Equal(expected, result.Failure);
    }

    [Fact]
    public async Task OverlongTokenIsRefusedBeforeParsing()
    {
        var service = await ServiceAsync();
        var result = await service.ValidateAsync(new string('a', TokenService.MaxTokenLength + 1), TokenKind.Access, default);
        Assert.Equal(TokenFailure.TooLong, result.Failure);
    }

    [Fact]
    public async Task SelectedHs512SignsAndValidatesWithA64ByteKey()
    {
        var options = new JwtOptions { Algorithm = "HS512" };
        var service = await TestKeys.TokenServiceAsync(TestKeys.NewBase64Key(64), options);
        var keys = await service.GetKeysAsync(default);
        var token = service.CreateAccessToken(keys!, "alice", "s").Value;

        Assert.Equal("HS512", JsonDocument.Parse(Base64UrlEncoder.Decode(token.Split('.')[0])).RootElement.GetProperty("alg").GetString());
        Assert.True((await service.ValidateAsync(token, TokenKind.Access, default)).Succeeded);
        var hs256 = TokenForge.Sign(TokenForge.Header(), TokenForge.Claims(), KeyBytes);
        Assert.False((await service.ValidateAsync(hs256, TokenKind.Access, default)).Succeeded);
    }

    [Fact]
    public async Task NothingValidatesWhenNoKeyIsLoaded()
    {
        var service = await TestKeys.TokenServiceAsync(TestKeys.NewBase64Key(16));
        var token = TokenForge.Sign(TokenForge.Header(), TokenForge.Claims(), new byte[16]);

        Assert.Null(await service.GetKeysAsync(default));
        Assert.Equal(TokenFailure.KeysUnavailable, (await service.ValidateAsync(token, TokenKind.Access, default)).Failure);
    }

    private string Make(string name)
    {
        var header = TokenForge.Header();
        var claims = TokenForge.Claims();
        var key = KeyBytes;
        switch (name)
        {
            case "tampered-payload":
                var good = TokenForge.Sign(header, claims, key).Split('.');
                claims["sub"] = "admin";
                return TokenForge.Encode(header) + "." + TokenForge.Encode(claims) + "." + good[2];
            case "stripped-signature":
                return TokenForge.Unsigned(header, claims);
            case "alg-none":
            case "alg-None":
            case "alg-NONE":
                header["alg"] = name[4..];
                return TokenForge.Unsigned(header, claims);
            case "alg-HS512":
                header["alg"] = "HS512";
                return TokenForge.Sign(header, claims, key);
            case "alg-HS384":
                header["alg"] = "HS384";
                break;
            case "alg-RS256":
                header["alg"] = "RS256";
                break;
            case "alg-hs256":
                // The pinned alg is matched exactly (RFC 7515 §4.1.1: case-sensitive).
                header["alg"] = "hs256";
                return TokenForge.Sign(header, claims, key);
            case "wrong-issuer":
                claims["iss"] = "someone-else";
                break;
            case "wrong-audience":
                claims["aud"] = "another-api";
                break;
            case "missing-audience":
                claims.Remove("aud");
                break;
            case "missing-exp":
                claims.Remove("exp");
                break;
            case "nbf-future":
                claims["nbf"] = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
                claims["exp"] = DateTimeOffset.UtcNow.AddMinutes(20).ToUnixTimeSeconds();
                break;
            case "iat-future":
                claims["iat"] = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds();
                break;
            case "other-key-same-kid":
                key = Convert.FromBase64String(TestKeys.NewBase64Key());
                break;
            case "unknown-kid":
                header["kid"] = "../../etc/passwd";
                break;
            case "no-kid":
                header.Remove("kid");
                break;
            case "typ-jwt":
                header["typ"] = "JWT";
                break;
            case "typ-missing":
                header.Remove("typ");
                break;
            case "typ-empty":
                header["typ"] = string.Empty;
                break;
            case "typ-upper-case":
                // typ is matched exactly (ordinal): "AT+JWT" is not "at+jwt".
                header["typ"] = "AT+JWT";
                break;
            case "sub-number":
                claims["sub"] = 42;
                break;
            case "sub-missing":
                claims.Remove("sub");
                break;
            case "two-segments":
                return string.Join('.', TokenForge.Sign(header, claims, key).Split('.').Take(2));
            case "five-segments":
                return TokenForge.Sign(header, claims, key) + ".a.b";
            case "not-base64":
                return "e30!.e30!.abc";
            case "unknown-crit":
                header["crit"] = new[] { "urn:example:must-understand" };
                header["urn:example:must-understand"] = true;
                break;
        }

        return TokenForge.Sign(header, claims, key);
    }
}
