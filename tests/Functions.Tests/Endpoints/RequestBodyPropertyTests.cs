using System.Text;
using CsCheck;
using JwtFunctions.Authentication;
using JwtFunctions.Endpoints;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.Tokens;
using Microsoft.IdentityModel.Tokens;
using Xunit.Abstractions;

namespace JwtFunctions.Tests.Endpoints;

/// <summary>
/// Property-based tests (CsCheck) over token and request parsing: random input never throws and
/// never authenticates. A failure prints the seed to replay it with.
/// </summary>
public sealed class RequestBodyPropertyTests(ITestOutputHelper output)
{
    public const int Iterations = 2_000;

    private static readonly string KeyText = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    /// <summary>Strings biased towards the shapes that matter: dots, base64url characters, "Bearer ".</summary>
    private static readonly Gen<string> TokenLike = Gen.OneOf(
        Gen.String,
        Gen.String[Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ "], 0, 600],
        Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 200], Gen.String[Gen.Char.AlphaNumeric, 1, 400], Gen.String[Gen.Char.AlphaNumeric, 0, 100],
            (a, b, c) => $"{a}.{b}.{c}"));

    [Fact]
    public void AnyAuthorizationHeaderParsesWithoutThrowingAndYieldsOnlyB64Tokens()
    {
        Gen.Select(Gen.OneOf(Gen.Const("Bearer "), Gen.Const("bearer "), Gen.Const(""), Gen.String[0, 10]), TokenLike)
            .Sample((scheme, token) =>
            {
                var extracted = BearerAuthenticator.ExtractToken(scheme + token, out var failure);
                if (extracted is not null)
                {
                    Assert.Equal(TokenFailure.None, failure);
                    Assert.Matches("^[A-Za-z0-9._~+/-]+=*$", extracted);
                }
            }, iter: Iterations, writeLine: output.WriteLine);
    }

    [Fact]
    public async Task RandomTokensNeverAuthenticate()
    {
        var tokens = await TestKeys.TokenServiceAsync(KeyText);
        await TokenLike.SampleAsync(async token =>
        {
            var result = await tokens.ValidateAsync(token, TokenKind.Access, default);
            Assert.False(result.Succeeded);
            Assert.NotEqual(TokenFailure.None, result.Failure);
        }, iter: Iterations, writeLine: output.WriteLine);
    }

    [Fact]
    public async Task AnyChangeToAValidTokensDecodedContentIsRefused()
    {
        var tokens = await TestKeys.TokenServiceAsync(KeyText);
        var valid = tokens.CreateAccessToken((await tokens.GetKeysAsync(default))!, "alice", "session").Value;
        Assert.True((await tokens.ValidateAsync(valid, TokenKind.Access, default)).Succeeded);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

        await Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Char[alphabet]).SampleAsync(async (position, replacement) =>
        {
            var mutated = valid[..position] + replacement + valid[(position + 1)..];

            // base64url's last character of a segment carries unused bits: a change there can
            // decode to the very same bytes, which is the same token, not a forgery.
            if (SameDecodedSegments(valid, mutated))
            {
                return;
            }

            Assert.False((await tokens.ValidateAsync(mutated, TokenKind.Access, default)).Succeeded, mutated);
        }, iter: Iterations, writeLine: output.WriteLine);
    }

    [Fact]
    public void AnyRequestBodyParsesToAValueOrAClientError()
    {
        var bodies = Gen.OneOf(
            Gen.Byte.Array[0, 300],
            Gen.String.Select(s => Encoding.UTF8.GetBytes(s)),
            Gen.Select(Gen.String[0, 40], Gen.String[0, 40], (u, p) => Encoding.UTF8.GetBytes($"{{\"username\":{Quote(u)},\"password\":{Quote(p)}}}")),
            Gen.Int[0, 40].Select(depth => Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth))));
        bodies.Sample(body =>
        {
            var (value, error) = JsonBody.Parse(body, ApiJsonContext.Default.CredentialsRequest);
            Assert.True(value is null ^ error is null);
            if (error is not null)
            {
                Assert.InRange((int)error.Status, 400, 499);
            }
        }, iter: Iterations, writeLine: output.WriteLine);
    }

    private static string Quote(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    private static bool SameDecodedSegments(string a, string b)
    {
        var left = a.Split('.');
        var right = b.Split('.');
        if (left.Length != right.Length)
        {
            return false;
        }

        for (var i = 0; i < left.Length; i++)
        {
            try
            {
                if (!Base64UrlEncoder.DecodeBytes(left[i]).AsSpan().SequenceEqual(Base64UrlEncoder.DecodeBytes(right[i])))
                {
                    return false;
                }
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return true;
    }
}
