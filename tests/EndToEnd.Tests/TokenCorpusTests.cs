using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// An attacker's token corpus against the real worker. Every bad token is sent to a function with
/// a side effect (<c>POST logout {"all":true}</c>, which would end every session of the user the
/// token names) and to <c>GET protected</c>; each must be a 401 with its exact RFC 6750 challenge.
/// The forged tokens name a real user (the victim) with her session id, token generation and the
/// jti of her current access token, so a token that got through would end her session: after
/// every case her access token must still work and her refresh token must still rotate — the
/// proof that the function was never reached.
/// </summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class TokenCorpusTests(FunctionsAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output)
{
    private const string Algorithm = "The token's algorithm is not accepted";
    private const string UnknownKey = "The token's signing key is not known";
    private const string Signature = "The token's signature is invalid";
    private const string Malformed = "The token is malformed";
    private const string TooLong = "The token is too long";
    private const string Expired = "The token expired";
    private const string NotYetValid = "The token is not valid yet";
    private const string NoExpiry = "The token has no expiry";
    private const string Issuer = "The token's issuer is invalid";
    private const string Audience = "The token's audience is invalid";
    private const string WrongType = "The token is of the wrong type";
    private const string Subject = "The token's subject is invalid";
    private const string Invalid = "The token is invalid";
    private const string ForbiddenHeader = "The token's header is not accepted";

    /// <summary>Every fixed <c>error_description</c> the app has (src/Functions/Tokens/TokenFailures.cs).</summary>
    private static readonly string[] FixedDescriptions =
        [Algorithm, UnknownKey, Signature, Malformed, TooLong, Expired, NotYetValid, NoExpiry, Issuer, Audience, WrongType, Subject, Invalid, ForbiddenHeader, "The token was revoked"];

    private static readonly SemaphoreSlim VictimLock = new(1, 1);
    private static Victim? _victim;

    public static string InvalidTokenChallenge(string description) => $"Bearer error=\"invalid_token\", error_description=\"{description}\"";

    /// <summary>
    /// Case name -> expected <c>error_description</c> (and so the challenge). <c>null</c>: 401 with
    /// the invalid_token challenge and one of the app's fixed descriptions, which one not pinned.
    /// </summary>
    public static TheoryData<string, string?> AccessTokenCorpus => new()
    {
        // alg: none in every casing (RFC 8725 §2.1, §3.1), unsigned and with an HMAC signature appended
        { "alg none", Algorithm },
        { "alg None", Algorithm },
        { "alg NONE", Algorithm },
        { "alg nOnE", Algorithm },
        { "alg none with an HMAC signature", Algorithm },
        // other algorithms than the configured HS256
        { "alg HS384 with the right key", Algorithm },
        { "alg HS512 with the right key", Algorithm },
        { "alg hs256 lower-case with the right key", Algorithm },
        { "alg RS256 with an attacker's RSA key", Algorithm },
        { "alg ES256 with an attacker's EC key", Algorithm },
        { "alg RS256 HMAC-signed with the secret as public key", Algorithm },
        { "alg missing", Algorithm },
        // kid: only the configured key ids select a key; injected values select none
        { "kid path ../../etc/passwd", UnknownKey },
        { "kid URL https://evil/", UnknownKey },
        { "kid SQL ' OR 1=1 --", UnknownKey },
        { "kid empty", UnknownKey },
        { "kid missing", UnknownKey },
        { "kid unknown version", UnknownKey },
        // keys named by the token itself are never fetched or trusted
        { "jku to the attacker, signed by the attacker's key as kid local", Signature },
        { "jku to the attacker, attacker's kid", UnknownKey },
        { "x5u to the attacker, RS256 with the attacker's key", Algorithm },
        { "jwk with the attacker's RSA public key, RS256", UnknownKey },
        { "jwk with the attacker's HMAC key, HS256", Signature },
        // crit (RFC 7515 §4.1.11): an extension the recipient does not understand must be refused
        { "crit names an unknown header parameter", null },
        // the JOSE header is allow-listed (alg, typ, kid), even on a token signed with the real key
        { "jku, signed with the real key", ForbiddenHeader },
        { "jwk, signed with the real key", ForbiddenHeader },
        { "x5u, signed with the real key", ForbiddenHeader },
        { "x5c, signed with the real key", ForbiddenHeader },
        { "an unknown header parameter, signed with the real key", ForbiddenHeader },
        // access and refresh tokens follow exclusive rules beyond typ (RFC 8725 §3.12)
        { "the victim's refresh token claims re-typed as an access token", Audience },
        // lifetime
        { "expired", Expired },
        { "nbf in the future", NotYetValid },
        { "iat far in the future", NotYetValid },
        { "exp missing", NoExpiry },
        // issuer, audience
        { "iss wrong", Issuer },
        { "iss missing", Issuer },
        { "aud wrong", Audience },
        { "aud missing", Audience },
        // type
        { "refresh token as access token", Audience }, // its audience is the token service (RFC 8725 §3.12)
        { "typ JWT", WrongType },
        { "typ missing", WrongType },
        // key and signature
        { "signed with another key", Signature },
        { "payload tampered, original signature", Signature },
        { "signature stripped, trailing dot kept", Signature },
        { "signature and its dot stripped", Malformed },
        { "signature bit flipped", Signature },
        // shape
        { "four segments", Malformed },
        { "extra empty segment", Malformed },
        { "JWE-shaped five parts", Invalid },
        { "non-base64url characters", Malformed },
        { "standard base64 + and / in the signature", Signature },
        { "padding after the signature", Signature },
        { "padding inside the header segment", Malformed },
        { "space inside", Malformed },
        { "tab inside", Malformed },
        { "header not JSON", Malformed },
        { "payload not JSON", Malformed },
        { "lower-case bearer with a garbage token", Malformed },
        { "lower-case bearer with an attacker-signed token", Signature },
        { "upper-case BEARER with an expired token", Expired },
        { "two Authorization headers, both the victim's valid token", Malformed },
        { "two Authorization headers, valid then forged", Malformed },
        { "a 20 KB token (under the 32 KiB header limit, over the app's 4 KiB)", TooLong },
        { "claims nested 100 deep", Malformed },
        { "claims nested 1000 deep", Malformed },
        // sub (RFC 7519 §4.1.2: a StringOrURI)
        { "sub a number", Subject },
        // objects and arrays where the handler expects a string claim fail its parsing already
        { "sub an object", Malformed },
        { "sub an array", Malformed },
        { "sub empty", Subject },
        { "sub null", Subject },
        { "sub missing", Subject },
        { "sid a number", Subject },
        { "jti an object", Malformed },
    };

    [Theory]
    [MemberData(nameof(AccessTokenCorpus))]
    public Task ABadAccessTokenIs401WithItsChallengeAndNeverReachesTheFunction(string @case, string? description) =>
        AttackVictimAsync(async victim =>
        {
            var authorization = Forge(@case, victim);

            using (var logout = await SendAsync(HttpMethod.Post, "api/v1.0/logout", authorization, """{"all":true}"""))
            {
                await AssertRefusedAsync(logout, description, @case);
            }

            using (var protectedResponse = await SendAsync(HttpMethod.Get, "api/v1.0/protected", authorization))
            {
                var body = await AssertRefusedAsync(protectedResponse, description, @case);
                Assert.False(body.TryGetProperty("username", out _), "the protected function ran");
            }
        });

    /// <summary>Refresh-token forgeries against <c>refresh</c>, which would rotate the victim's current refresh token.</summary>
    public static TheoryData<string, string> RefreshTokenCorpus => new()
    {
        { "access token as refresh token", Audience },
        { "refresh alg none", Algorithm },
        { "refresh alg HS512 with the right key", Algorithm },
        { "refresh alg RS256 HMAC-signed with the secret", Algorithm },
        { "refresh signed with another key", Signature },
        { "refresh kid injected", UnknownKey },
        { "refresh expired", Expired },
        { "refresh payload tampered", Signature },
        { "refresh sub a number", Subject },
    };

    [Theory]
    [MemberData(nameof(RefreshTokenCorpus))]
    public Task ABadRefreshTokenIs401AsHeaderOrBodyAndRotatesNothing(string @case, string description) =>
        AttackVictimAsync(async victim =>
        {
            var token = ForgeRefresh(@case, victim);

            using (var asHeader = await SendAsync(HttpMethod.Post, "api/v1.0/refresh", ["Bearer " + token]))
            {
                await AssertRefusedAsync(asHeader, description, @case);
            }

            using (var inBody = await SendAsync(HttpMethod.Post, "api/v1.0/refresh", [], JsonSerializer.Serialize(new { refresh_token = token })))
            {
                await AssertRefusedAsync(inBody, description, @case);
            }
        });

    /// <summary>
    /// Decided and pinned: a token signed by the configured key whose payload has an extra claim is
    /// accepted (claims this service does not know are ignored, RFC 7519 §4). Its JOSE header is
    /// another matter: only alg, typ and kid are accepted there; jku, x5u, jwk and the rest are in
    /// the corpus above, refused even when signed with the right key (RFC 8725 §3.10).
    /// </summary>
    [Theory]
    [InlineData("extra claim")]
    public async Task ACorrectlySignedTokenWithAnExtraClaimIsAccepted(string extra)
    {
        var header = TokenForge.Header();
        var claims = TokenForge.Claims(sub: "accepted-extra");
        claims[extra == "extra claim" ? "admin" : extra] = true;

        using var response = await SendAsync(HttpMethod.Get, "api/v1.0/protected", ["Bearer " + TokenForge.Sign(header, claims, App.SigningKey)]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("accepted-extra", (await SessionTests.Json(response)).GetProperty("username").GetString());
    }

    /// <summary>
    /// Decided and pinned: the scheme name is matched case-insensitively (RFC 7235 §2.1, RFC 9110
    /// §11.1), so <c>bearer &lt;valid token&gt;</c> is accepted like <c>Bearer</c>.
    /// </summary>
    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    [InlineData("bEaReR")]
    public async Task TheBearerSchemeNameIsCaseInsensitiveSoAValidTokenIsAccepted(string scheme)
    {
        using var response = await SendAsync(HttpMethod.Get, "api/v1.0/protected", [$"{scheme} {TokenForge.Sign(TokenForge.Header(), TokenForge.Claims(sub: "scheme-case"), App.SigningKey)}"]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("scheme-case", (await SessionTests.Json(response)).GetProperty("username").GetString());
    }

    [Fact]
    public async Task TheVictimsForgedTwinSignedWithTheRightKeyIsAcceptedSoEachRefusalIsCausedByItsCase()
    {
        // Positive control for the corpus: the victim's claims, signed as the app signs, pass
        // (on protected only, which has no side effect).
        var victim = await GetVictimAsync();
        using var response = await SendAsync(HttpMethod.Get, "api/v1.0/protected", ["Bearer " + TokenForge.Sign(TokenForge.Header(), victim.Claims(), App.SigningKey)]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(victim.Username, (await SessionTests.Json(response)).GetProperty("username").GetString());
    }

    private string Forge(string @case, Victim victim)
    {
        var key = App.SigningKey;
        var claims = victim.Claims();
        var now = DateTimeOffset.UtcNow;
        string Hs256(Action<Dictionary<string, object?>, Dictionary<string, object?>> change, byte[]? withKey = null)
        {
            var header = TokenForge.Header();
            var payload = victim.Claims();
            change(header, payload);
            return TokenForge.Sign(header, payload, withKey ?? key);
        }

        string SignedRaw(string headerJson, string payloadJson) =>
            TokenForge.SignSegmentsWithHmac(TokenForge.EncodeJson(headerJson), TokenForge.EncodeJson(payloadJson), key, HashAlgorithmName.SHA256);

        string Nested(int depth) =>
            JsonSerializer.Serialize(claims)[..^1] + ",\"deep\":" + new string('[', depth) + new string(']', depth) + "}";

        var valid = TokenForge.Sign(TokenForge.Header(), claims, key);
        var attackerKey = RandomNumberGenerator.GetBytes(32);
        var parts = valid.Split('.');

        var token = @case switch
        {
            "alg none" or "alg None" or "alg NONE" or "alg nOnE" => TokenForge.Unsigned(TokenForge.Header(alg: @case[4..]), claims),
            "alg none with an HMAC signature" => TokenForge.SignWithHmacSha256(TokenForge.Header(alg: "none"), claims, key),
            "alg HS384 with the right key" => TokenForge.Sign(TokenForge.Header(alg: "HS384"), claims, key),
            "alg HS512 with the right key" => TokenForge.Sign(TokenForge.Header(alg: "HS512"), claims, key),
            "alg hs256 lower-case with the right key" => TokenForge.SignWithHmacSha256(TokenForge.Header(alg: "hs256"), claims, key),
            "alg RS256 with an attacker's RSA key" => WithRsa(rsa => TokenForge.SignRs256(TokenForge.Header(alg: "RS256"), claims, rsa)),
            "alg ES256 with an attacker's EC key" => WithEcdsa(ec => TokenForge.SignEs256(TokenForge.Header(alg: "ES256"), claims, ec)),
            "alg RS256 HMAC-signed with the secret as public key" => TokenForge.SignWithHmacSha256(TokenForge.Header(alg: "RS256"), claims, key),
            "alg missing" => TokenForge.SignWithHmacSha256(new() { ["typ"] = "at+jwt", ["kid"] = "local" }, claims, key),

            "kid path ../../etc/passwd" => Hs256((h, _) => h["kid"] = "../../etc/passwd"),
            "kid URL https://evil/" => Hs256((h, _) => h["kid"] = "https://evil/"),
            "kid SQL ' OR 1=1 --" => Hs256((h, _) => h["kid"] = "' OR 1=1 --"),
            "kid empty" => Hs256((h, _) => h["kid"] = ""),
            "kid missing" => Hs256((h, _) => h.Remove("kid")),
            "kid unknown version" => Hs256((h, _) => h["kid"] = "v2"),

            "jku to the attacker, signed by the attacker's key as kid local" => Hs256((h, _) => h["jku"] = "https://evil.example/jwks.json", attackerKey),
            "jku to the attacker, attacker's kid" => Hs256((h, _) => { h["jku"] = "https://evil.example/jwks.json"; h["kid"] = "attacker"; }, attackerKey),
            "x5u to the attacker, RS256 with the attacker's key" => WithRsa(rsa =>
            {
                var header = TokenForge.Header(alg: "RS256");
                header["x5u"] = "https://evil.example/cert.pem";
                return TokenForge.SignRs256(header, claims, rsa);
            }),
            "jwk with the attacker's RSA public key, RS256" => WithRsa(rsa =>
            {
                var header = TokenForge.Header(alg: "RS256", kid: "attacker");
                header["jwk"] = TokenForge.PublicJwk(rsa, "attacker");
                return TokenForge.SignRs256(header, claims, rsa);
            }),
            "jwk with the attacker's HMAC key, HS256" => Hs256((h, _) => h["jwk"] = TokenForge.SymmetricJwk(attackerKey, "local"), attackerKey),

            "jku, signed with the real key" => Hs256((h, _) => h["jku"] = "https://evil.example/jwks.json"),
            "jwk, signed with the real key" => Hs256((h, _) => h["jwk"] = TokenForge.SymmetricJwk(key, "local")),
            "x5u, signed with the real key" => Hs256((h, _) => h["x5u"] = "https://evil.example/cert.pem"),
            "x5c, signed with the real key" => Hs256((h, _) => h["x5c"] = new[] { "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" }),
            "an unknown header parameter, signed with the real key" => Hs256((h, _) => h["x-internal"] = true),
            "the victim's refresh token claims re-typed as an access token" => TokenForge.Sign(TokenForge.Header(typ: "at+jwt"), victim.RefreshClaims(), key),
            "crit names an unknown header parameter" => Hs256((h, _) =>
            {
                h["crit"] = new[] { "https://evil.example/must-understand" };
                h["https://evil.example/must-understand"] = true;
            }),

            "expired" => Hs256((_, c) => { c["iat"] = now.AddHours(-2).ToUnixTimeSeconds(); c["nbf"] = c["iat"]; c["exp"] = now.AddHours(-1).ToUnixTimeSeconds(); }),
            "nbf in the future" => Hs256((_, c) => { c["nbf"] = now.AddHours(1).ToUnixTimeSeconds(); c["exp"] = now.AddHours(2).ToUnixTimeSeconds(); }),
            "iat far in the future" => Hs256((_, c) => c["iat"] = now.AddYears(1).ToUnixTimeSeconds()),
            "exp missing" => Hs256((_, c) => c.Remove("exp")),
            "iss wrong" => Hs256((_, c) => c["iss"] = "https://evil.example"),
            "iss missing" => Hs256((_, c) => c.Remove("iss")),
            "aud wrong" => Hs256((_, c) => c["aud"] = "another-api"),
            "aud missing" => Hs256((_, c) => c.Remove("aud")),

            "refresh token as access token" => victim.Refresh,
            "typ JWT" => Hs256((h, _) => h["typ"] = "JWT"),
            "typ missing" => Hs256((h, _) => h.Remove("typ")),

            "signed with another key" => Hs256((_, _) => { }, attackerKey),
            "payload tampered, original signature" => $"{victim.Access.Split('.')[0]}.{TokenForge.Encode(TamperedClaims(victim.Access))}.{victim.Access.Split('.')[2]}",
            "signature stripped, trailing dot kept" => $"{parts[0]}.{parts[1]}.",
            "signature and its dot stripped" => $"{parts[0]}.{parts[1]}",
            "signature bit flipped" => TokenForge.WithFlippedSignature(valid),

            "four segments" => valid + "." + parts[2],
            "extra empty segment" => valid + ".",
            "JWE-shaped five parts" => TokenForge.EncodeJson("""{"alg":"dir","enc":"A256GCM","kid":"local","typ":"at+jwt"}""") + ".." + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12))
                + "." + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(64)) + "." + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
            "non-base64url characters" => $"{parts[0]}.{parts[1]}!*%.{parts[2]}",
            "standard base64 + and / in the signature" => $"{parts[0]}.{parts[1]}.{parts[2].Replace('-', '+').Replace('_', '/')}+/",
            "padding after the signature" => valid + "==",
            "padding inside the header segment" => $"{parts[0]}==.{parts[1]}.{parts[2]}",
            "space inside" => $"{parts[0]}.{parts[1]} .{parts[2]}",
            "tab inside" => $"{parts[0]}.\t{parts[1]}.{parts[2]}",
            "header not JSON" => TokenForge.SignSegmentsWithHmac(TokenForge.EncodeJson("alg=HS256;kid=local"), parts[1], key, HashAlgorithmName.SHA256),
            "payload not JSON" => TokenForge.SignSegmentsWithHmac(parts[0], TokenForge.EncodeJson("sub=" + victim.Username), key, HashAlgorithmName.SHA256),
            "lower-case bearer with a garbage token" or "lower-case bearer with an attacker-signed token" or "upper-case BEARER with an expired token" => null,
            "two Authorization headers, both the victim's valid token" or "two Authorization headers, valid then forged" => null,
            "a 20 KB token (under the 32 KiB header limit, over the app's 4 KiB)" => $"{parts[0]}.{Base64UrlEncoder.Encode(new byte[15_000])}.{parts[2]}",
            "claims nested 100 deep" => SignedRaw(JsonSerializer.Serialize(TokenForge.Header()), Nested(100)),
            "claims nested 1000 deep" => SignedRaw(JsonSerializer.Serialize(TokenForge.Header()), Nested(1000)),

            "sub a number" => Hs256((_, c) => c["sub"] = 12345),
            "sub an object" => Hs256((_, c) => c["sub"] = new Dictionary<string, object> { ["name"] = victim.Username }),
            "sub an array" => Hs256((_, c) => c["sub"] = new[] { victim.Username }),
            "sub empty" => Hs256((_, c) => c["sub"] = ""),
            "sub null" => Hs256((_, c) => c["sub"] = null),
            "sub missing" => Hs256((_, c) => c.Remove("sub")),
            "sid a number" => Hs256((_, c) => c["sid"] = 1),
            "jti an object" => Hs256((_, c) => c["jti"] = new Dictionary<string, object> { ["id"] = victim.Jti }),
            _ => throw new ArgumentOutOfRangeException(nameof(@case), @case, "no such case"),
        };

        return @case switch
        {
            "lower-case bearer with a garbage token" => "bearer not.a.jwt",
            "lower-case bearer with an attacker-signed token" => "bearer " + Hs256((_, _) => { }, attackerKey),
            "upper-case BEARER with an expired token" => "BEARER " + Hs256((_, c) => { c["iat"] = now.AddHours(-2).ToUnixTimeSeconds(); c["nbf"] = c["iat"]; c["exp"] = now.AddHours(-1).ToUnixTimeSeconds(); }),
            "two Authorization headers, both the victim's valid token" => TwoHeaders("Bearer " + victim.Access, "Bearer " + victim.Access),
            "two Authorization headers, valid then forged" => TwoHeaders("Bearer " + victim.Access, "Bearer " + valid),
            _ => "Bearer " + token,
        };
    }

    /// <summary>Marks a value that <see cref="SendAsync"/> sends as two Authorization header lines.</summary>
    private const string HeaderSeparator = "\u0001";

    private static string TwoHeaders(string first, string second) => first + HeaderSeparator + second;

    private string ForgeRefresh(string @case, Victim victim)
    {
        var key = App.SigningKey;
        var claims = victim.RefreshClaims();
        var now = DateTimeOffset.UtcNow;
        return @case switch
        {
            "access token as refresh token" => victim.Access,
            "refresh alg none" => TokenForge.Unsigned(TokenForge.Header(typ: "rt+jwt", alg: "none"), claims),
            "refresh alg HS512 with the right key" => TokenForge.Sign(TokenForge.Header(typ: "rt+jwt", alg: "HS512"), claims, key),
            "refresh alg RS256 HMAC-signed with the secret" => TokenForge.SignWithHmacSha256(TokenForge.Header(typ: "rt+jwt", alg: "RS256"), claims, key),
            "refresh signed with another key" => TokenForge.Sign(TokenForge.Header(typ: "rt+jwt"), claims, RandomNumberGenerator.GetBytes(32)),
            "refresh kid injected" => TokenForge.Sign(TokenForge.Header(typ: "rt+jwt", kid: "../local"), claims, key),
            "refresh expired" => TokenForge.Sign(TokenForge.Header(typ: "rt+jwt"), WithLifetime(claims, now.AddDays(-40), now.AddDays(-10)), key),
            "refresh payload tampered" => victim.Refresh.Split('.')[0] + "." + TokenForge.Encode(TamperedClaims(victim.Refresh)) + "." + victim.Refresh.Split('.')[2],
            "refresh sub a number" => TokenForge.Sign(TokenForge.Header(typ: "rt+jwt"), Changed(claims, "sub", 42), key),
            _ => throw new ArgumentOutOfRangeException(nameof(@case), @case, "no such case"),
        };
    }

    private static Dictionary<string, object?> WithLifetime(Dictionary<string, object?> claims, DateTimeOffset issued, DateTimeOffset expires)
    {
        claims["iat"] = issued.ToUnixTimeSeconds();
        claims["nbf"] = issued.ToUnixTimeSeconds();
        claims["exp"] = expires.ToUnixTimeSeconds();
        return claims;
    }

    private static Dictionary<string, object?> Changed(Dictionary<string, object?> claims, string name, object? value)
    {
        claims[name] = value;
        return claims;
    }

    /// <summary>The token's own claims with one more day of lifetime and a higher generation: what an attacker would want.</summary>
    private static Dictionary<string, object?> TamperedClaims(string token)
    {
        var claims = JsonSerializer.Deserialize<Dictionary<string, object?>>(Base64UrlEncoder.DecodeBytes(token.Split('.')[1]))!;
        claims["exp"] = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds();
        claims["gen"] = 99;
        return claims;
    }

    private static string WithRsa(Func<RSA, string> sign)
    {
        using var rsa = RSA.Create(2048);
        return sign(rsa);
    }

    private static string WithEcdsa(Func<ECDsa, string> sign)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return sign(ecdsa);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string authorization, string? json = null) =>
        await SendAsync(method, path, authorization.Split(HeaderSeparator), json);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string[] authorization, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (authorization.Length > 0)
        {
            Assert.True(request.Headers.TryAddWithoutValidation("Authorization", authorization), "the client refused the header");
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await Client.SendAsync(request);
    }

    private static async Task<JsonElement> AssertRefusedAsync(HttpResponseMessage response, string? description, string @case)
    {
        var text = await response.Content.ReadAsStringAsync();
        var challenge = SessionTests.Challenge(response);
        var context = $"{@case}: {(int)response.StatusCode} WWW-Authenticate: {challenge ?? "(none)"} body: {text}";
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, context);
        Assert.True(challenge is not null, context);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal("invalid_token", body.GetProperty("error").GetString());
        var actual = body.GetProperty("error_description").GetString()!;
        if (description is null)
        {
            Assert.Contains(actual, FixedDescriptions);
        }
        else
        {
            Assert.True(description == actual, context);
        }

        Assert.Equal(InvalidTokenChallenge(actual), challenge);
        return body;
    }

    /// <summary>Her access token still works and her refresh token still rotates (then the victim holds the new pair).</summary>
    private async Task AssertVictimUntouchedAsync(Victim victim)
    {
        using (var protectedResponse = await SendAsync(HttpMethod.Get, "api/v1.0/protected", ["Bearer " + victim.Access]))
        {
            Assert.True(protectedResponse.StatusCode == HttpStatusCode.OK, $"the victim's access token stopped working: {(int)protectedResponse.StatusCode} {await protectedResponse.Content.ReadAsStringAsync()}");
            Assert.Equal(victim.Username, (await SessionTests.Json(protectedResponse)).GetProperty("username").GetString());
        }

        using var refresh = await SendAsync(HttpMethod.Post, "api/v1.0/refresh", ["Bearer " + victim.Refresh]);
        Assert.True(refresh.StatusCode == HttpStatusCode.OK, $"the victim's refresh token no longer rotates: {(int)refresh.StatusCode} {await refresh.Content.ReadAsStringAsync()}");
        var body = await SessionTests.Json(refresh);
        victim.Update(body.GetProperty("access_token").GetString()!, body.GetProperty("refresh_token").GetString()!);
    }

    /// <summary>
    /// Runs one attack on the shared victim (one at a time), then checks that her session survived.
    /// A case that got through may have ended her session: the next case gets a new victim.
    /// </summary>
    private async Task AttackVictimAsync(Func<Victim, Task> attack)
    {
        var victim = await GetVictimAsync();
        await VictimLock.WaitAsync();
        try
        {
            await attack(victim);
            await AssertVictimUntouchedAsync(victim);
        }
        catch
        {
            _victim = null;
            throw;
        }
        finally
        {
            VictimLock.Release();
        }
    }

    private async Task<Victim> GetVictimAsync()
    {
        await VictimLock.WaitAsync();
        try
        {
            if (_victim is null || _victim.Fixture != App)
            {
                var (username, tokens) = await App.NewSessionAsync();
                _victim = new Victim(App, username.ToLowerInvariant(), tokens.Access, tokens.Refresh);
            }

            return _victim;
        }
        finally
        {
            VictimLock.Release();
        }
    }

    /// <summary>The user whose session the forged tokens try to end, with her current token pair.</summary>
    private sealed class Victim(FunctionsAppFixture fixture, string username, string access, string refresh)
    {
        public FunctionsAppFixture Fixture { get; } = fixture;

        public string Username { get; } = username;

        public string Access { get; private set; } = access;

        public string Refresh { get; private set; } = refresh;

        public string Jti => Payload(Access).GetProperty("jti").GetString()!;

        public void Update(string access, string refresh) => (Access, Refresh) = (access, refresh);

        /// <summary>Valid access-token claims naming her, her session, her generation and the jti of her access token.</summary>
        public Dictionary<string, object?> Claims() => ClaimsOf(Access);

        /// <summary>Valid refresh-token claims naming her current refresh token.</summary>
        public Dictionary<string, object?> RefreshClaims() => ClaimsOf(Refresh);

        private static Dictionary<string, object?> ClaimsOf(string token)
        {
            var payload = Payload(token);
            var claims = TokenForge.Claims(sub: payload.GetProperty("sub").GetString()!);
            claims["jti"] = payload.GetProperty("jti").GetString();
            claims["sid"] = payload.GetProperty("sid").GetString();
            claims["gen"] = payload.GetProperty("gen").GetInt64();
            claims["aud"] = payload.GetProperty("aud").GetString(); // access and refresh tokens have different audiences
            return claims;
        }

        private static JsonElement Payload(string token) => JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.Split('.')[1])).RootElement.Clone();
    }
}
