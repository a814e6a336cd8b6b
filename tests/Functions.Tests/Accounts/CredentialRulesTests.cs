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

public sealed class CommonPasswordTests
{
    [Theory]
    [InlineData("passwordpassword")] // an entry repeated
    [InlineData("qwertyqwerty")]
    [InlineData("123456123456")]
    [InlineData("leavemealone")]
    [InlineData("PasswordPassword")] // compared case-insensitively
    [InlineData("1q2w3e4r5t6y")] // an entry as it is
    [InlineData("Qwerty123456")]
    public void ACommonPasswordOfValidLengthIsRefusedAsCommon(string password)
    {
        Assert.InRange(password.Length, Passwords.MinLength, Passwords.MaxLength);
        Assert.Equal(PasswordProblem.Common, Passwords.Check(password));
        Assert.False(Passwords.IsAcceptable(password));
    }

    [Theory]
    [InlineData("correct horse battery staple")]
    [InlineData("twelve-chars")]
    [InlineData("Tr0ub4dor&3-extended")]
    public void AnUncommonPasswordIsAccepted(string password)
    {
        Assert.Equal(PasswordProblem.None, Passwords.Check(password));
        Assert.True(Passwords.IsAcceptable(password));
    }

    [Fact]
    public void TheListIsZxcvbnsThirtyThousandPasswords()
    {
        // zxcvbn-core 1.1.17's passwords.lst: 30,000 lines, distinct also once lower-cased.
        Assert.Equal(30_000, CommonPasswords.Count);
    }

    [Fact]
    public void LengthIsCheckedBeforeTheList()
    {
        Assert.Equal(PasswordProblem.Length, Passwords.Check("password"));
        Assert.Equal(PasswordProblem.Length, Passwords.Check(null));
    }

    [Theory]
    [InlineData(PasswordProblem.Common, "password", "password is a commonly used password; choose another")]
    [InlineData(PasswordProblem.Length, "new_password", "new_password must be 12-128 characters")]
    public void EachProblemHasAFixedDescription(PasswordProblem problem, string field, string description)
    {
        Assert.Equal(description, Passwords.Describe(problem, field));
    }
}
