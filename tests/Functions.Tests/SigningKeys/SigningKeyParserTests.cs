using JwtFunctions.SigningKeys;









namespace JwtFunctions.Tests.SigningKeys;

public sealed class SigningKeyParserTests
{
    [Theory]
    [InlineData(null, SigningKeyProblem.Missing)]
    [InlineData("", SigningKeyProblem.Missing)]
    [InlineData("   ", SigningKeyProblem.Missing)]
    [InlineData("@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/jwt-signing-key/)", SigningKeyProblem.UnresolvedReference)]
    [InlineData("@Microsoft.KeyVault(VaultName=v;SecretName=jwt-signing-key)", SigningKeyProblem.UnresolvedReference)]
    [InlineData("not base64 at all!", SigningKeyProblem.NotBase64)]
    [InlineData("c2VjcmV0", SigningKeyProblem.TooShort)] // "secret"
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", SigningKeyProblem.TooShort)] // 31 bytes
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", SigningKeyProblem.None)] // 32 bytes
    public void SecretValueIsAcceptedOnlyAsBase64OfEnoughBytes(string? value, SigningKeyProblem expected)
    {
        var problem = SigningKeyParser.TryParse(value, 32, out var material);

        Assert.Equal(expected, problem);
        Assert.Equal(expected == SigningKeyProblem.None ? 32 : 0, material.Length);
    }

    [Theory]
    [InlineData(32, 47, SigningKeyProblem.None)]
    [InlineData(48, 47, SigningKeyProblem.TooShort)]
    [InlineData(48, 48, SigningKeyProblem.None)]
    [InlineData(64, 63, SigningKeyProblem.TooShort)]
    [InlineData(64, 64, SigningKeyProblem.None)]
    public void MinimumLengthFollowsTheHashSize(int minimum, int actual, SigningKeyProblem expected)
    {
        Assert.Equal(expected, SigningKeyParser.TryParse(Convert.ToBase64String(new byte[actual]), minimum, out _));
    }

    [Fact]
    public void DescriptionNeverContainsTheValue()
    {
        foreach (var problem in Enum.GetValues<SigningKeyProblem>())
        {
            Assert.DoesNotContain("c2VjcmV0", SigningKeyParser.Describe(problem, 32));
        }
    }
}
