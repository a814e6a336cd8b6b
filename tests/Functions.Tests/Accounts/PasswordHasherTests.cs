using JwtFunctions.Accounts;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Tests.Accounts;

public sealed class PasswordHasherTests
{
    private static readonly PasswordHasher Hasher = new(Options.Create(new AccountOptions()));

    [Fact]
    public void TwelveCharacterPasswordRoundTrips()
    {
        var hash = Hasher.Hash("correct-hor!");

        Assert.Equal(PasswordVerification.Succeeded, Hasher.Verify("correct-hor!", hash));
        Assert.Equal(PasswordVerification.Failed, Hasher.Verify("correct-hor?", hash));
    }

    [Fact]
    public void HashIsVersionedSaltedPbkdf2Sha256AtOwaspIterations()
    {
        var first = Hasher.Hash("same password");
        var second = Hasher.Hash("same password");

        Assert.StartsWith("$pbkdf2-sha256$v=1$i=600000$", first);
        Assert.NotEqual(first, second);
        Assert.DoesNotContain("same password", first);
    }

    [Fact]
    public void HashWithFewerIterationsThanConfiguredAsksForARehash()
    {
        var stronger = new PasswordHasher(Options.Create(new AccountOptions { PasswordHashIterations = 600_001 }));
        var hash = Hasher.Hash("a long enough password");

        Assert.Equal(PasswordVerification.SucceededRehashNeeded, stronger.Verify("a long enough password", hash));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("$pbkdf2-sha256$v=1$i=600000$notbase64$notbase64")]
    [InlineData("$pbkdf2-sha256$v=1$i=-5$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("$pbkdf2-sha256$v=2$i=600000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void DamagedOrUnknownHashNeverVerifies(string stored)
    {
        Assert.Equal(PasswordVerification.Failed, Hasher.Verify("anything at all", stored));
    }

    [Fact]
    public void IterationsBelowOwaspAreRefusedAtStartUp()
    {
        var result = new AccountOptionsValidator().Validate(null, new AccountOptions { PasswordHashIterations = 100_000 });
        Assert.Contains("Accounts:PasswordHashIterations must be between 600,000", result.FailureMessage);
    }
}
