using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// The Bearer middleware through the real worker and host: every bad token must be a 401 that
/// keeps its exact RFC 6750 challenge, and the function must not run. Status codes and challenge
/// strings are pinned; a middleware that let a bad token through (200) or a 401 that lost its
/// WWW-Authenticate header fails these tests.
/// </summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class BearerMiddlewareTests(FunctionsAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output)
{
    private const string Bare = "Bearer";

    public enum Credential
    {
        NoHeader,
        BasicScheme,
        EmptyBearer,
        NotB64Token,
        GarbageSegments,
        TwoAuthorizationHeaders,
        Expired,
        TamperedPayload,
        TamperedSignature,
        AlgNone,
        OtherAlgorithm,
        SignedWithAnotherKey,
        UnknownKeyId,
        WrongIssuer,
        WrongAudience,
        RefreshTokenAsAccessToken,
        IssuedInTheFuture,
    }

    private static string InvalidToken(string description) => $"Bearer error=\"invalid_token\", error_description=\"{description}\"";

    public static TheoryData<Credential, int, string, string, string> ProtectedCases => new()
    {
        // credential,                          status, WWW-Authenticate,                                          error,            error_description
        { Credential.NoHeader,                  401, Bare,                                                          "invalid_token", "An access token is required" },
        { Credential.BasicScheme,               401, Bare,                                                          "invalid_token", "An access token is required" },
        { Credential.EmptyBearer,               401, InvalidToken("The token is malformed"),                        "invalid_token", "The token is malformed" },
        { Credential.NotB64Token,               401, InvalidToken("The token is malformed"),                        "invalid_token", "The token is malformed" },
        { Credential.GarbageSegments,           401, InvalidToken("The token is malformed"),                        "invalid_token", "The token is malformed" },
        { Credential.TwoAuthorizationHeaders,   401, InvalidToken("The token is malformed"),                        "invalid_token", "The token is malformed" },
        { Credential.Expired,                   401, InvalidToken("The token expired"),                             "invalid_token", "The token expired" },
        { Credential.TamperedPayload,           401, InvalidToken("The token's signature is invalid"),              "invalid_token", "The token's signature is invalid" },
        { Credential.TamperedSignature,         401, InvalidToken("The token's signature is invalid"),              "invalid_token", "The token's signature is invalid" },
        { Credential.AlgNone,                   401, InvalidToken("The token's algorithm is not accepted"),         "invalid_token", "The token's algorithm is not accepted" },
        { Credential.OtherAlgorithm,            401, InvalidToken("The token's algorithm is not accepted"),         "invalid_token", "The token's algorithm is not accepted" },
        { Credential.SignedWithAnotherKey,      401, InvalidToken("The token's signature is invalid"),              "invalid_token", "The token's signature is invalid" },
        { Credential.UnknownKeyId,              401, InvalidToken("The token's signing key is not known"),          "invalid_token", "The token's signing key is not known" },
        { Credential.WrongIssuer,               401, InvalidToken("The token's issuer is invalid"),                 "invalid_token", "The token's issuer is invalid" },
        { Credential.WrongAudience,             401, InvalidToken("The token's audience is invalid"),               "invalid_token", "The token's audience is invalid" },
        { Credential.RefreshTokenAsAccessToken, 401, InvalidToken("The token's audience is invalid"),               "invalid_token", "The token's audience is invalid" }, // addressed to the token service (RFC 8725 §3.12)
        { Credential.IssuedInTheFuture,         401, InvalidToken("The token is not valid yet"),                    "invalid_token", "The token is not valid yet" },
    };

    [Theory]
    [MemberData(nameof(ProtectedCases))]
    public async Task ProtectedRefusesBadCredentialsWithTheExactChallenge(Credential credential, int status, string challenge, string error, string description)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1.0/protected");
        await AddCredentialAsync(request, credential);

        using var response = await Client.SendAsync(request);

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal(challenge, SessionTests.Challenge(response));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await SessionTests.Json(response);
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.Equal(description, body.GetProperty("error_description").GetString());
        Assert.False(body.TryGetProperty("username", out _), "the protected function must not have run");
    }

    public static TheoryData<string, string, int, string> WrongTokenTypeCases => new()
    {
        // path,                method, status, WWW-Authenticate
        // Each kind is refused where the other belongs on its audience, before its typ is looked
        // at: refresh tokens are addressed to the token service itself (RFC 8725 §3.12).
        { "api/v1.0/refresh", "POST", 401, InvalidToken("The token's audience is invalid") },   // access token where a refresh token belongs
        { "api/v1.0/logout",  "POST", 401, InvalidToken("The token's audience is invalid") },   // refresh token where an access token belongs
    };

    [Theory]
    [MemberData(nameof(WrongTokenTypeCases))]
    public async Task TokensOnlyWorkWhereTheirTypeBelongs(string path, string method, int status, string challenge)
    {
        var (_, tokens) = await App.NewSessionAsync();
        var wrong = path.EndsWith("refresh", StringComparison.Ordinal) ? tokens.Access : tokens.Refresh;
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", wrong);

        using var response = await Client.SendAsync(request);

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal(challenge, SessionTests.Challenge(response));
        Assert.Equal("invalid_token", (await SessionTests.Json(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task RefreshWithoutAnyTokenIs401WithABareChallenge()
    {
        using var response = await Client.PostAsync("api/v1.0/refresh", content: null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(Bare, SessionTests.Challenge(response));
    }

    [Fact]
    public async Task AForgedTokenWithTheRightKeyIsAcceptedSoTheRefusalsAboveAreMeaningful()
    {
        // Positive control: the forging helper makes tokens the app accepts; each refusal in the
        // table is therefore caused by the one property the case changes.
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1.0/protected");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TokenForge.Create(App.SigningKey, subject: "forged-user"));
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("forged-user", (await SessionTests.Json(response)).GetProperty("username").GetString());
    }

    private async Task AddCredentialAsync(HttpRequestMessage request, Credential credential)
    {
        var key = App.SigningKey;
        switch (credential)
        {
            case Credential.NoHeader:
                return;
            case Credential.BasicScheme:
                request.Headers.TryAddWithoutValidation("Authorization", "Basic dXNlcjpjb3JyZWN0IGhvcnNl");
                return;
            case Credential.EmptyBearer:
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer");
                return;
            case Credential.NotB64Token:
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer not a token!");
                return;
            case Credential.GarbageSegments:
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer abc.def.ghi");
                return;
            case Credential.TwoAuthorizationHeaders:
                var valid = TokenForge.Create(key);
                request.Headers.TryAddWithoutValidation("Authorization", new[] { "Bearer " + valid, "Bearer " + valid });
                return;
        }

        var token = credential switch
        {
            Credential.Expired => TokenForge.Create(key, issuedAgo: TimeSpan.FromHours(2), expiresIn: TimeSpan.FromHours(-1)),
            Credential.TamperedPayload => TokenForge.WithPayloadClaim((await App.NewSessionAsync()).Tokens.Access, "sub", "admin"),
            Credential.TamperedSignature => TokenForge.WithFlippedSignature((await App.NewSessionAsync()).Tokens.Access),
            Credential.AlgNone => TokenForge.UnsignedToken(),
            // HS512 needs a 64-byte key; the app pins HS256, so the algorithm alone is refused.
            Credential.OtherAlgorithm => TokenForge.Create(key.Concat(key).ToArray(), algorithm: SecurityAlgorithms.HmacSha512),
            Credential.SignedWithAnotherKey => TokenForge.Create(RandomNumberGenerator.GetBytes(32)),
            Credential.UnknownKeyId => TokenForge.Create(key, keyId: "v-unknown"),
            Credential.WrongIssuer => TokenForge.Create(key, issuer: "someone-else"),
            Credential.WrongAudience => TokenForge.Create(key, audience: "another-api"),
            Credential.RefreshTokenAsAccessToken => (await App.NewSessionAsync()).Tokens.Refresh,
            Credential.IssuedInTheFuture => TokenForge.Create(key, issuedAgo: TimeSpan.FromMinutes(-10), expiresIn: TimeSpan.FromMinutes(30)),
            _ => throw new ArgumentOutOfRangeException(nameof(credential), credential, null),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }
}
