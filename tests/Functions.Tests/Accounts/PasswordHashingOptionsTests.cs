using JwtFunctions.Accounts;
using Microsoft.Extensions.Configuration;

namespace JwtFunctions.Tests.Accounts;

/// <summary>Start-up validation of the password-hashing settings against OWASP's minimums.</summary>
public sealed class PasswordHashingOptionsTests
{
    private static string? Failure(AccountOptions options) => new AccountOptionsValidator().Validate(null, options).FailureMessage;

    [Fact]
    public void DefaultsAreArgon2idAtOwaspMinimumWithFourHashingSlots()
    {
        var options = new AccountOptions();

        Assert.Equal(PasswordHashAlgorithm.Argon2id, options.PasswordHashAlgorithm);
        Assert.Equal(19_456, options.Argon2MemoryKiB);
        Assert.Equal(2, options.Argon2Iterations);
        Assert.Equal(4, options.MaxConcurrentPasswordHashes);
        Assert.Null(Failure(options));
    }

    [Theory]
    [InlineData(47_104, 1)]
    [InlineData(19_456, 2)]
    [InlineData(12_288, 3)]
    [InlineData(9_216, 4)]
    [InlineData(7_168, 5)]
    [InlineData(65_536, 3)]
    public void EachOfOwaspsEquivalentArgon2idSettingsIsAccepted(int memoryKiB, int passes)
    {
        Assert.Null(Failure(new AccountOptions { Argon2MemoryKiB = memoryKiB, Argon2Iterations = passes }));
    }

    [Theory]
    [InlineData(19_456, 1, "at least 47104")]
    [InlineData(19_455, 2, "at least 19456")]
    [InlineData(12_287, 3, "at least 12288")]
    [InlineData(7_167, 9, "at least 7168")]
    public void Argon2idBelowOwaspIsRefusedWithTheMemoryThatWouldFixIt(int memoryKiB, int passes, string fix)
    {
        var failure = Failure(new AccountOptions { Argon2MemoryKiB = memoryKiB, Argon2Iterations = passes });

        Assert.NotNull(failure);
        Assert.Contains("below OWASP's minimum for Argon2id", failure);
        Assert.Contains($"set Accounts:Argon2MemoryKiB to {fix}", failure);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    public void Argon2idPassesOutsideOneToTenAreRefused(int passes)
    {
        Assert.Contains("Accounts:Argon2Iterations must be between 1 and 10", Failure(new AccountOptions { Argon2Iterations = passes }));
    }

    [Fact]
    public void Argon2idMemoryAbove256MiBIsRefused()
    {
        Assert.Contains("Accounts:Argon2MemoryKiB must be at most 262144", Failure(new AccountOptions { Argon2MemoryKiB = 262_145 }));
    }

    [Fact]
    public void UnknownAlgorithmIsRefusedNamingBothChoices()
    {
        Assert.Contains("Accounts:PasswordHashAlgorithm must be Argon2id (the default) or Pbkdf2", Failure(new AccountOptions { PasswordHashAlgorithm = (PasswordHashAlgorithm)7 }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void HashingSlotsOutsideOneToSixtyFourAreRefused(int slots)
    {
        Assert.Contains("Accounts:MaxConcurrentPasswordHashes must be between 1 and 64", Failure(new AccountOptions { MaxConcurrentPasswordHashes = slots }));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(31)]
    public void QueueTimeoutOutsideZeroToThirtySecondsIsRefused(int seconds)
    {
        Assert.Contains("Accounts:PasswordHashQueueTimeout must be between 00:00:00 and 00:00:30", Failure(new AccountOptions { PasswordHashQueueTimeout = TimeSpan.FromSeconds(seconds) }));
    }

    [Fact]
    public void Pbkdf2SettingIsBoundFromConfiguration()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Accounts:PasswordHashAlgorithm"] = "Pbkdf2" })
            .Build();
        var options = new AccountOptions();
        configuration.GetSection(AccountOptions.SectionName).Bind(options);

        Assert.Equal(PasswordHashAlgorithm.Pbkdf2, options.PasswordHashAlgorithm);
    }
}
