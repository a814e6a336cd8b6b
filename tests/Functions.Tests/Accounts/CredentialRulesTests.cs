using JwtFunctions.Accounts;









namespace JwtFunctions.Tests.Accounts;

public sealed class CredentialRulesTests
{
    [Theory]
    [InlineData("airvip", "airvip")]
    [InlineData("AirVip", "airvip")]
    [InlineData("a.b_c-d@example.com", "a.b_c-d@example.com")]
    [InlineData("abc", "abc")]
    public void ValidUsernameIsNormalizedToLowerCase(string input, string expected)
    {
        Assert.True(Usernames.TryNormalize(input, out var normalized));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ab")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("o'brien")]
    [InlineData("a\"b")]
    [InlineData("a b")]
    [InlineData("a\tb")]
    [InlineData("a\u0000b")]
    [InlineData("ädmin")]
    [InlineData("x' or PartitionKey ne 'x")]
    public void UnsafeOrMalformedUsernameIsRefused(string? input)
    {
        Assert.False(Usernames.TryNormalize(input, out _));
    }

    [Fact]
    public void LengthLimitsAreThreeToSixtyFour()
    {
        Assert.True(Usernames.TryNormalize(new string('a', 64), out _));
        Assert.False(Usernames.TryNormalize(new string('a', 65), out _));
    }

    [Theory]
    [InlineData(11, false)]
    [InlineData(12, true)]
    [InlineData(128, true)]
    [InlineData(129, false)]
    public void PasswordLengthIsTwelveToOneHundredTwentyEight(int length, bool acceptable)
    {
        Assert.Equal(acceptable, Passwords.IsAcceptable(new string('p', length)));
    }
}
