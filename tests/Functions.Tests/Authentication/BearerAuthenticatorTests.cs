using JwtFunctions.Authentication;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Primitives;

namespace JwtFunctions.Tests.Authentication;

public sealed class BearerAuthenticatorTests
{
    [Theory]
    [InlineData("Bearer abc.def.ghi", "abc.def.ghi", TokenFailure.None)]
    [InlineData("bearer abc.def.ghi", "abc.def.ghi", TokenFailure.None)] // RFC 7235 §2.1: scheme is case-insensitive
    [InlineData("Bearer   abc.def.ghi", "abc.def.ghi", TokenFailure.None)] // 1*SP
    [InlineData("Bearer abc.def.ghi==", "abc.def.ghi==", TokenFailure.None)]
    [InlineData("Basic dXNlcjpwYXNz", null, TokenFailure.None)] // another scheme: no Bearer credentials at all
    [InlineData("Bearerabc.def.ghi", null, TokenFailure.None)]
    [InlineData("Bearer\tabc.def.ghi", null, TokenFailure.None)] // RFC 6750 §2.1: "Bearer" 1*SP, a tab is no separator
    [InlineData("", null, TokenFailure.None)]
    [InlineData("Bearer", null, TokenFailure.Malformed)]
    [InlineData("Bearer ", null, TokenFailure.Malformed)]
    [InlineData("Bearer abc def", null, TokenFailure.Malformed)]
    [InlineData("Bearer abc.def.ghi,Bearer x", null, TokenFailure.Malformed)]
    [InlineData("Bearer a\"b", null, TokenFailure.Malformed)]
    [InlineData("Bearer ===", null, TokenFailure.Malformed)]
    [InlineData("Bearer ab=c", null, TokenFailure.Malformed)]
    public void AuthorizationHeaderIsParsedPerRfc6750(string header, string? token, TokenFailure failure)
    {
        Assert.Equal(token, BearerAuthenticator.ExtractToken(header, out var actual));
        Assert.Equal(failure, actual);
    }

    [Fact]
    public void AbsentHeaderIsNoToken()
    {
        Assert.Null(BearerAuthenticator.ExtractToken(StringValues.Empty, out var failure));
        Assert.Equal(TokenFailure.None, failure);
    }

    [Theory]
    [InlineData("Bearer a.b.c", "Bearer d.e.f")]
    [InlineData("Basic eDp5", "Bearer a.b.c")]
    [InlineData("", "Bearer a.b.c")]
    public void TwoAuthorizationHeadersAreRefused(string first, string second)
    {
        Assert.Null(BearerAuthenticator.ExtractToken(new StringValues([first, second]), out var failure));
        Assert.Equal(TokenFailure.Malformed, failure);
    }

    [Fact]
    public void HugeTokenIsRefusedAsTooLong()
    {
        Assert.Null(BearerAuthenticator.ExtractToken("Bearer " + new string('a', 100_000), out var failure));
        Assert.Equal(TokenFailure.TooLong, failure);
    }

    [Fact]
    public async Task NoHeaderIsTokenMissingNotAFailure()
    {
        var outcome = await new BearerAuthenticator(await TestKeys.TokenServiceAsync(), TestKeys.UnloadedRevocationList()).AuthenticateAsync(StringValues.Empty, TokenKind.Access, default);
        Assert.True(outcome.TokenMissing);
    }
}
