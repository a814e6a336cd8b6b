using JwtFunctions.Accounts;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Tests.Accounts;

public sealed class PasswordHasherTests
{
    private static readonly PasswordHasher Hasher = new(Options.Create(new AccountOptions()));
    private static readonly PasswordHasher Pbkdf2Hasher = new(Options.Create(new AccountOptions { PasswordHashAlgorithm = PasswordHashAlgorithm.Pbkdf2 }));

    [Fact]
    public void TwelveCharacterPasswordRoundTrips()
    {
        var hash = Hasher.Hash("correct-hor!");

        Assert.Equal(PasswordVerification.Succeeded, Hasher.Verify("correct-hor!", hash));
        Assert.Equal(PasswordVerification.Failed, Hasher.Verify("correct-hor?", hash));
    }

    [Fact]
    public void NewHashesAreVersionedSaltedArgon2idAtOwaspMinimumByDefault()
    {
        var first = Hasher.Hash("same password");
        var second = Hasher.Hash("same password");

        // PHC string format, as libsodium's crypto_pwhash_str writes it: 16-byte salt (22 chars), 32-byte hash (43 chars).
        Assert.Matches(@"^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$", first);
        Assert.NotEqual(first, second);
        Assert.DoesNotContain("same password", first);
    }

    [Fact]
    public void Argon2idMatchesLibsodiumForAKnownInput()
    {
        // A regression pin, not an independent reference: computed once through NSec 26.4.0 /
        // libsodium 1.0.22 (password "password", salt 16 zero bytes, m=19456 KiB, t=2, p=1, 32 bytes).
        // It fixes the encoding (UTF-8 password, PHC base64 without padding) and the parameters' units.
        // NSec's DeriveBytes(string, ...) overload hashes the UTF-16 code units instead (measured:
        // another result), which no other Argon2 implementation would reproduce; it is not used.
        const string stored = "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$3I4+G8Hb+nWNCW9b6y5QNX813QAdykZ4QqazSX6pzCs";

        Assert.Equal(PasswordVerification.Succeeded, Hasher.Verify("password", stored));
        Assert.Equal(PasswordVerification.Failed, Hasher.Verify("Password", stored));
    }

    [Fact]
    public void Pbkdf2SettingWritesVersionedSaltedPbkdf2Sha256AtOwaspIterations()
    {
        var first = Pbkdf2Hasher.Hash("same password");
        var second = Pbkdf2Hasher.Hash("same password");

        Assert.StartsWith("$pbkdf2-sha256$v=1$i=600000$", first);
        Assert.NotEqual(first, second);
        Assert.DoesNotContain("same password", first);
        Assert.Equal(PasswordVerification.Succeeded, Pbkdf2Hasher.Verify("same password", first));
    }

    [Fact]
    public void LegacyPbkdf2HashStillVerifiesAndAsksForMigrationToArgon2id()
    {
        var legacy = Pbkdf2Hasher.Hash("a long enough password");

        Assert.Equal(PasswordVerification.SucceededRehashNeeded, Hasher.Verify("a long enough password", legacy));
        Assert.Equal(PasswordVerification.Failed, Hasher.Verify("a long enough passwore", legacy));
    }

    [Fact]
    public void Argon2idHashUnderTheFipsSettingVerifiesAndAsksForMigrationToPbkdf2()
    {
        var argon2 = Hasher.Hash("a long enough password");

        Assert.Equal(PasswordVerification.SucceededRehashNeeded, Pbkdf2Hasher.Verify("a long enough password", argon2));
    }

    [Fact]
    public void HashWithFewerIterationsThanConfiguredAsksForARehash()
    {
        var stronger = new PasswordHasher(Options.Create(new AccountOptions { PasswordHashAlgorithm = PasswordHashAlgorithm.Pbkdf2, PasswordHashIterations = 600_001 }));
        var hash = Pbkdf2Hasher.Hash("a long enough password");

        Assert.Equal(PasswordVerification.SucceededRehashNeeded, stronger.Verify("a long enough password", hash));
    }

    [Theory]
    [InlineData(19_457, 2)]
    [InlineData(19_456, 3)]
    public void Argon2idHashBelowTheConfiguredCostAsksForARehash(int memoryKiB, int passes)
    {
        var stronger = new PasswordHasher(Options.Create(new AccountOptions { Argon2MemoryKiB = memoryKiB, Argon2Iterations = passes }));
        var hash = Hasher.Hash("a long enough password");

        Assert.Equal(PasswordVerification.SucceededRehashNeeded, stronger.Verify("a long enough password", hash));
    }

    [Fact]
    public void HashAtTheConfiguredCostNeedsNoRehash()
    {
        Assert.Equal(PasswordVerification.Succeeded, Hasher.Verify("a long enough password", Hasher.Hash("a long enough password")));
        Assert.Equal(PasswordVerification.Succeeded, Pbkdf2Hasher.Verify("a long enough password", Pbkdf2Hasher.Hash("a long enough password")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("$pbkdf2-sha256$v=1$i=600000$notbase64$notbase64")]
    [InlineData("$pbkdf2-sha256$v=1$i=-5$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("$pbkdf2-sha256$v=2$i=600000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$notbase64!$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=2$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("$argon2id$v=16$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("$argon2i$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("$argon2id$v=19$m=4194304,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAA")]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void DamagedOrUnknownHashNeverVerifies(string stored)
    {
        Assert.Equal(PasswordVerification.Failed, Hasher.Verify("anything at all", stored));
    }

    [Fact]
    public void ParametersNameTheAlgorithmAndCostButNoSecret()
    {
        Assert.Equal("argon2id m=19456 t=2 p=1", Hasher.Parameters);
        Assert.Equal("pbkdf2-sha256 i=600000", Pbkdf2Hasher.Parameters);
    }

    [Fact]
    public void IterationsBelowOwaspAreRefusedAtStartUp()
    {
        var result = new AccountOptionsValidator().Validate(null, new AccountOptions { PasswordHashIterations = 100_000 });
        Assert.Contains("Accounts:PasswordHashIterations must be between 600,000", result.FailureMessage);
    }
}
