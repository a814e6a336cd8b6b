using System.Net;
using JwtFunctions.Authentication;
using JwtFunctions.Endpoints;
using JwtFunctions.TestSupport;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.Tokens;
using static JwtFunctions.TestSupport.FakeHttpResponse;

namespace JwtFunctions.Tests.Endpoints;

/// <summary>What the Bearer middleware answers, from its two parts: the authenticator's verdict and the response it shapes.</summary>
public sealed class ApiResponsesTests
{
    private static readonly byte[] Key = Convert.FromBase64String(KeyText);
    private const string KeyText = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";

    public static TheoryData<string, string> RejectedTokens() => new()
    {
        { "expired", "Bearer error=\"invalid_token\", error_description=\"The token expired\"" },
        { "tampered", "Bearer error=\"invalid_token\", error_description=\"The token's signature is invalid\"" },
        { "alg-none", "Bearer error=\"invalid_token\", error_description=\"The token's algorithm is not accepted\"" },
        { "wrong-issuer", "Bearer error=\"invalid_token\", error_description=\"The token's issuer is invalid\"" },
        { "refresh-token", "Bearer error=\"invalid_token\", error_description=\"The token is of the wrong type\"" },
        { "garbage", "Bearer error=\"invalid_token\", error_description=\"The token is malformed\"" },
    };

    [Theory]
    [MemberData(nameof(RejectedTokens))]
    public async Task RefusedTokenIs401WithTheRfc6750ChallengeForItsFailure(string name, string challenge)
    {
        var tokens = await TestKeys.TokenServiceAsync(KeyText);
        var outcome = await new BearerAuthenticator(tokens, TestKeys.UnloadedRevocationList()).AuthenticateAsync("Bearer " + Make(name), TokenKind.Access, default);
        Assert.Null(outcome.Principal);

        var response = await new FakeHttpRequest(new FakeFunctionContext(), "GET").TokenRejectedAsync(outcome.Failure);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(challenge, Header(response, "WWW-Authenticate"));
        Assert.Equal("invalid_token", JsonOf(response).GetProperty("error").GetString());
    }

    [Fact]
    public async Task MissingTokenIs401WithABareChallenge()
    {
        var response = await new FakeHttpRequest(new FakeFunctionContext(), "GET").TokenMissingAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Header(response, "WWW-Authenticate"));
    }

    [Fact]
    public async Task NoSigningKeyIs503WithRetryAfterNot401()
    {
        var response = await new FakeHttpRequest(new FakeFunctionContext(), "GET").TokenRejectedAsync(TokenFailure.KeysUnavailable);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("5", Header(response, "Retry-After"));
        Assert.Equal("(none)", Header(response, "WWW-Authenticate"));
        Assert.Equal("temporarily_unavailable", JsonOf(response).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData(1, "1")]
    [InlineData(39.2, "40")]
    [InlineData(60, "60")]
    public async Task ThrottledIs429WithRetryAfterInWholeSecondsAndNoChallenge(double seconds, string retryAfter)
    {
        var response = await new FakeHttpRequest(new FakeFunctionContext(), "POST").ThrottledAsync(TimeSpan.FromSeconds(seconds));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(retryAfter, Header(response, "Retry-After"));
        Assert.Equal("(none)", Header(response, "WWW-Authenticate"));
        Assert.Equal("too_many_requests", JsonOf(response).GetProperty("error").GetString());
        Assert.Equal("Too many password attempts; try again after the Retry-After delay", JsonOf(response).GetProperty("error_description").GetString());
    }

    [Fact]
    public void EveryFailureKindHasAFixedDescriptionWithoutQuotes()
    {
        foreach (var failure in Enum.GetValues<TokenFailure>())
        {
            var description = TokenFailures.Describe(failure);
            Assert.False(string.IsNullOrWhiteSpace(description));
            Assert.DoesNotContain("\"", description); // would break the quoted-string in the header
            Assert.DoesNotContain("IDX", description); // never an IdentityModel message
        }
    }

    private static string Make(string name)
    {
        var header = TokenForge.Header();
        var claims = TokenForge.Claims();
        switch (name)
        {
            case "expired":
                claims = TokenForge.Claims(DateTimeOffset.UtcNow.AddHours(-2));
                break;
            case "tampered":
                var parts = TokenForge.Sign(header, claims, Key).Split('.');
                claims["sub"] = "admin";
                return TokenForge.Encode(header) + "." + TokenForge.Encode(claims) + "." + parts[2];
            case "alg-none":
                header["alg"] = "none";
                return TokenForge.Unsigned(header, claims);
            case "wrong-issuer":
                claims["iss"] = "https://evil.example";
                break;
            case "refresh-token":
                header["typ"] = "rt+jwt";
                break;
            case "garbage":
                return "abc.def";
        }

        return TokenForge.Sign(header, claims, Key);
    }
}
