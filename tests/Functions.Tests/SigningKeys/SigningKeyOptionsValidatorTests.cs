using JwtFunctions.SigningKeys;









namespace JwtFunctions.Tests.SigningKeys;

public sealed class SigningKeyOptionsValidatorTests
{
    [Fact]
    public void VaultUriAloneIsValid() =>
        Assert.True(new SigningKeyOptionsValidator().Validate(null, new SigningKeyOptions { VaultUri = new Uri("https://v.vault.azure.net/") }).Succeeded);

    [Fact]
    public void LocalKeyAloneIsValid() =>
        Assert.True(new SigningKeyOptionsValidator().Validate(null, new SigningKeyOptions { LocalKey = "anything; its strength is checked when loaded" }).Succeeded);

    [Fact]
    public void NoKeySourceIsRefusedWithHowToFixIt()
    {
        var result = new SigningKeyOptionsValidator().Validate(null, new SigningKeyOptions());
        Assert.Contains("set SigningKeys__VaultUri", result.FailureMessage);
        Assert.Contains("openssl rand -base64 32", result.FailureMessage);
    }

    [Theory]
    [InlineData("-00:00:01", false)]
    [InlineData("00:00:00", true)]
    [InlineData("00:15:00", true)]
    [InlineData("1.00:00:01", false)]
    public void ActivationDelayIsBetweenZeroAndOneDay(string delay, bool valid)
    {
        var result = new SigningKeyOptionsValidator().Validate(null, new SigningKeyOptions { LocalKey = "k", ActivationDelay = TimeSpan.Parse(delay, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("SigningKeys:ActivationDelay must be between 00:00:00 and 1.00:00:00", result.FailureMessage);
        }
    }

    [Theory]
    [InlineData("-00:00:01", false)]
    [InlineData("00:00:00", true)]
    [InlineData("01:00:00", true)]
    [InlineData("1.00:00:00", true)]
    [InlineData("1.00:00:01", false)]
    public void AccessDeniedGracePeriodIsBetweenZeroAndOneDay(string grace, bool valid)
    {
        var result = new SigningKeyOptionsValidator().Validate(null, new SigningKeyOptions { LocalKey = "k", AccessDeniedGracePeriod = TimeSpan.Parse(grace, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("SigningKeys:AccessDeniedGracePeriod must be between 00:00:00 and 1.00:00:00; the default is 01:00:00", result.FailureMessage);
        }
    }

    [Fact]
    public void AccessDeniedGracePeriodDefaultsToOneHour() => Assert.Equal(TimeSpan.FromHours(1), new SigningKeyOptions().AccessDeniedGracePeriod);

    [Theory]
    [InlineData("http://v.vault.azure.net/", "jwt-signing-key", "SigningKeys:VaultUri must be the vault's absolute https URI")]
    [InlineData("https://v.vault.azure.net/", "bad_name", "SigningKeys:SecretName must be 1-127 letters, digits or dashes")]
    [InlineData("https://v.vault.azure.net/", "", "SigningKeys:SecretName must be 1-127 letters, digits or dashes")]
    public void InvalidVaultSettingsAreRefused(string uri, string secretName, string message)
    {
        var result = new SigningKeyOptionsValidator().Validate(null, new SigningKeyOptions { VaultUri = new Uri(uri), SecretName = secretName });
        Assert.Contains(message, result.FailureMessage);
    }

    [Fact]
    public void DefaultSecretNameIsJwtSigningKey() => Assert.Equal("jwt-signing-key", new SigningKeyOptions().SecretName);
}
