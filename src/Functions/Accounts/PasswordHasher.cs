using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using NSec.Cryptography;

namespace JwtFunctions.Accounts;

/// <summary>
/// Password hashes in two versioned, self-describing formats, so parameters and algorithm can
/// change and old hashes still verify:
/// <list type="bullet">
/// <item><c>$argon2id$v=19$m=KIB,t=PASSES,p=1$SALT$HASH</c> — Argon2id (RFC 9106) through libsodium
/// (NSec.Cryptography), in the PHC string format that libsodium's <c>crypto_pwhash_str</c> and the
/// reference implementation write (base64 without padding). The default for new hashes.</item>
/// <item><c>$pbkdf2-sha256$v=1$i=ITERATIONS$SALT$HASH</c> (base64) — PBKDF2-HMAC-SHA256 (RFC 8018 §5.2)
/// with the BCL's implementation: every hash written before Argon2id became the default, and the
/// algorithm for new hashes when <see cref="AccountOptions.PasswordHashAlgorithm"/> is
/// <see cref="PasswordHashAlgorithm.Pbkdf2"/> (FIPS-140).</item>
/// </list>
/// A correct password whose hash is of the other algorithm or below the configured cost verifies as
/// <see cref="PasswordVerification.SucceededRehashNeeded"/>, and the login stores a new hash: that is
/// the migration (OWASP Password Storage Cheat Sheet, "Upgrading Legacy Hashes"). Comparison is
/// constant-time. The synchronous methods compute at once; the <c>*Async</c> ones, which the
/// request path uses, first take a slot of the <see cref="PasswordHashGate"/>.
/// </summary>
public sealed class PasswordHasher
{
    private const string Pbkdf2Prefix = "$pbkdf2-sha256$v=1$i=";
    private const string Argon2Prefix = "$argon2id$v=19$";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly PasswordHashAlgorithm _algorithm;
    private readonly int _iterations;
    private readonly int _argon2MemoryKiB;
    private readonly int _argon2Iterations;
    private readonly PasswordHashGate _gate;
    private readonly byte[] _dummySalt = RandomNumberGenerator.GetBytes(SaltBytes);
    private readonly byte[] _dummyHash = RandomNumberGenerator.GetBytes(HashBytes);

    /// <summary>
    /// Work done by the key-derivation functions, per algorithm: PBKDF2 iterations, or Argon2id
    /// KiB x passes. What tells, without timing, that every kind of refused login does the same work.
    /// </summary>
    private readonly Counter<long>? _work;

    public const string HashWorkInstrument = "jwtfunctions.password.hash_work";

    public PasswordHasher(IOptions<AccountOptions> options, PasswordHashGate? gate = null, IMeterFactory? meters = null)
    {
        _work = meters?.Create(AccountService.MeterName).CreateCounter<long>(HashWorkInstrument, "{work}", "PBKDF2 iterations or Argon2id KiB x passes computed");
        var value = options.Value;
        _algorithm = value.PasswordHashAlgorithm;
        _iterations = value.PasswordHashIterations;
        _argon2MemoryKiB = value.Argon2MemoryKiB;
        _argon2Iterations = value.Argon2Iterations;
        _gate = gate ?? new PasswordHashGate(options);
    }

    /// <summary>The algorithm of new hashes.</summary>
    public PasswordHashAlgorithm Algorithm => _algorithm;

    /// <summary>PBKDF2 iterations of new PBKDF2 hashes.</summary>
    public int Iterations => _iterations;

    /// <summary>The parameters of new hashes, for logs: e.g. <c>argon2id m=19456 t=2 p=1</c>. No secret.</summary>
    public string Parameters => _algorithm == PasswordHashAlgorithm.Argon2id
        ? string.Create(CultureInfo.InvariantCulture, $"argon2id m={_argon2MemoryKiB} t={_argon2Iterations} p=1")
        : string.Create(CultureInfo.InvariantCulture, $"pbkdf2-sha256 i={_iterations}");

    public string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        if (_algorithm == PasswordHashAlgorithm.Argon2id)
        {
            var argon2 = Argon2Counted(password, salt, _argon2MemoryKiB, _argon2Iterations);
            return string.Create(CultureInfo.InvariantCulture, $"{Argon2Prefix}m={_argon2MemoryKiB},t={_argon2Iterations},p=1${Phc(salt)}${Phc(argon2)}");
        }

        var hash = Pbkdf2Counted(password, salt, _iterations);
        return string.Create(CultureInfo.InvariantCulture, $"{Pbkdf2Prefix}{_iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    public PasswordVerification Verify(string password, string storedHash)
    {
        bool weaker;
        byte[] actual, expected;
        if (TryParsePbkdf2(storedHash, out var iterations, out var salt, out expected))
        {
            actual = Pbkdf2Counted(password, salt, iterations);
            weaker = _algorithm != PasswordHashAlgorithm.Pbkdf2 || iterations < _iterations;
            if (_algorithm == PasswordHashAlgorithm.Pbkdf2 && iterations < _iterations)
            {
                // The iterations the stored hash lacks, on the dummy salt: in all, exactly the
                // current cost, so an account not yet rehashed takes the time of any other.
                CryptographicOperations.FixedTimeEquals(Pbkdf2Counted(password, _dummySalt, _iterations - iterations), _dummyHash);
            }
            else if (weaker)
            {
                // Another algorithm: the current cost in full on top (never less than any other login).
                VerifyAgainstDummy(password);
            }
        }
        else if (TryParseArgon2(storedHash, out var memoryKiB, out var passes, out salt, out expected))
        {
            actual = Argon2Counted(password, salt, memoryKiB, passes);
            weaker = _algorithm != PasswordHashAlgorithm.Argon2id || memoryKiB < _argon2MemoryKiB || passes < _argon2Iterations;
            if (weaker)
            {
                // A lower Argon2id cost (or the other algorithm): the current cost in full on top,
                // so such an account is never faster to refuse than one at the current cost.
                VerifyAgainstDummy(password);
            }
        }
        else
        {
            // Still spend the same work, so a damaged record is not told apart by timing.
            VerifyAgainstDummy(password);
            return PasswordVerification.Failed;
        }

        if (!CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            return PasswordVerification.Failed;
        }

        return weaker ? PasswordVerification.SucceededRehashNeeded : PasswordVerification.Succeeded;
    }

    /// <summary>
    /// The same work as a real verification at the configured algorithm and cost, for unknown users
    /// and locked accounts, so that they take about the same time as a wrong password (OWASP
    /// Authentication Cheat Sheet, "response times").
    /// </summary>
    public void VerifyAgainstDummy(string? password)
    {
        var actual = _algorithm == PasswordHashAlgorithm.Argon2id
            ? Argon2Counted(password ?? string.Empty, _dummySalt, _argon2MemoryKiB, _argon2Iterations)
            : Pbkdf2Counted(password ?? string.Empty, _dummySalt, _iterations);
        CryptographicOperations.FixedTimeEquals(actual, _dummyHash);
    }

    /// <summary><see cref="Hash"/> inside a hashing slot; throws <see cref="PasswordHashCapacityException"/> when none frees up in time.</summary>
    public async ValueTask<string> HashAsync(string password, CancellationToken cancellationToken)
    {
        using var slot = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        return Hash(password);
    }

    /// <summary><see cref="Verify"/> inside a hashing slot; throws <see cref="PasswordHashCapacityException"/> when none frees up in time.</summary>
    public async ValueTask<PasswordVerification> VerifyAsync(string password, string storedHash, CancellationToken cancellationToken)
    {
        using var slot = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        return Verify(password, storedHash);
    }

    /// <summary><see cref="VerifyAgainstDummy"/> inside a hashing slot, like a real verification.</summary>
    public async ValueTask VerifyAgainstDummyAsync(string? password, CancellationToken cancellationToken)
    {
        using var slot = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        VerifyAgainstDummy(password);
    }

    private byte[] Pbkdf2Counted(string password, byte[] salt, int iterations)
    {
        _work?.Add(iterations, new KeyValuePair<string, object?>("algorithm", "pbkdf2-sha256"));
        return Pbkdf2(password, salt, iterations);
    }

    private byte[] Argon2Counted(string password, byte[] salt, int memoryKiB, int passes)
    {
        _work?.Add((long)memoryKiB * passes, new KeyValuePair<string, object?>("algorithm", "argon2id"));
        return Argon2(password, salt, memoryKiB, passes);
    }

    private static byte[] Pbkdf2(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);

    /// <summary>
    /// Argon2id, version 0x13, p=1 (libsodium supports only one lane), over the UTF-8 bytes of the
    /// password, as other Argon2 implementations take it. (NSec's <c>DeriveBytes(string, ...)</c>
    /// overload would hash the UTF-16 code units instead: not used.)
    /// </summary>
    private static byte[] Argon2(string password, byte[] salt, int memoryKiB, int passes)
    {
        var algorithm = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = 1,
            MemorySize = memoryKiB,
            NumberOfPasses = passes,
        });
        var bytes = Encoding.UTF8.GetBytes(password);
        try
        {
            return algorithm.DeriveBytes(bytes, salt, HashBytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static string Phc(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static bool TryFromPhc(string text, int length, out byte[] bytes)
    {
        bytes = new byte[length];
        var padded = text.Length % 4 == 0 ? text : text + new string('=', 4 - (text.Length % 4));
        return text.Length > 0 && !text.Contains('=', StringComparison.Ordinal)
            && Convert.TryFromBase64String(padded, bytes, out var written) && written == length;
    }

    private static bool TryParseArgon2(string stored, out int memoryKiB, out int passes, out byte[] salt, out byte[] hash)
    {
        memoryKiB = passes = 0;
        salt = hash = [];
        if (!stored.StartsWith(Argon2Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        // m=KIB,t=PASSES,p=1$SALT$HASH; a stored cost outside what start-up accepts is a damaged
        // record (it would bypass the memory bound of the hashing gate), not something to run.
        var parts = stored[Argon2Prefix.Length..].Split('$');
        if (parts.Length != 3)
        {
            return false;
        }

        var cost = parts[0].Split(',');
        if (cost.Length != 3
            || !cost[0].StartsWith("m=", StringComparison.Ordinal) || !int.TryParse(cost[0].AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out memoryKiB)
            || !cost[1].StartsWith("t=", StringComparison.Ordinal) || !int.TryParse(cost[1].AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out passes)
            || cost[2] != "p=1"
            || memoryKiB is < PasswordHashCost.Argon2MinimumMemoryKiB or > PasswordHashCost.Argon2MaximumMemoryKiB
            || passes is < 1 or > PasswordHashCost.Argon2MaximumIterations)
        {
            return false;
        }

        return TryFromPhc(parts[1], SaltBytes, out salt) && TryFromPhc(parts[2], HashBytes, out hash);
    }

    private static bool TryParsePbkdf2(string stored, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        if (!stored.StartsWith(Pbkdf2Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = stored[Pbkdf2Prefix.Length..].Split('$');
        if (parts.Length != 3
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out iterations)
            || iterations < 1)
        {
            return false;
        }

        try
        {
            salt = Convert.FromBase64String(parts[1]);
            hash = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            return false;
        }

        return salt.Length >= SaltBytes && hash.Length == HashBytes;
    }
}

/// <summary>The algorithm of new password hashes (<see cref="AccountOptions.PasswordHashAlgorithm"/>).</summary>
public enum PasswordHashAlgorithm
{
    /// <summary>Argon2id (RFC 9106), OWASP's first recommendation. The default.</summary>
    Argon2id = 1,

    /// <summary>PBKDF2-HMAC-SHA256 at <see cref="AccountOptions.PasswordHashIterations"/>: for FIPS-140 deployments.</summary>
    Pbkdf2 = 2,
}

/// <summary>
/// OWASP's minimum Argon2id costs (Password Storage Cheat Sheet, "Argon2id"): five settings of equal
/// defence trading memory for passes, all with p=1 — m=47104 (46 MiB) t=1, m=19456 (19 MiB) t=2,
/// m=12288 (12 MiB) t=3, m=9216 (9 MiB) t=4, m=7168 (7 MiB) t=5. A configuration is accepted when
/// its memory is at least the row for its number of passes (t ≥ 5 uses the last row).
/// </summary>
public static class PasswordHashCost
{
    public const int Argon2MinimumMemoryKiB = 7_168;

    /// <summary>256 MiB: with <see cref="MaximumConcurrentHashes"/> slots busy this is already far beyond a 4 GB instance; the defaults use 19 MiB.</summary>
    public const int Argon2MaximumMemoryKiB = 262_144;

    public const int Argon2MaximumIterations = 10;

    /// <summary>Upper bound of <see cref="AccountOptions.MaxConcurrentPasswordHashes"/>.</summary>
    public const int MaximumConcurrentHashes = 64;

    /// <summary>OWASP's minimum memory in KiB for <paramref name="passes"/> Argon2id passes (p=1).</summary>
    public static int OwaspMinimumMemoryKiB(int passes) => passes switch
    {
        <= 1 => 47_104,
        2 => 19_456,
        3 => 12_288,
        4 => 9_216,
        _ => 7_168,
    };

    /// <summary>Why the Argon2id setting is refused, saying how to fix it; null when it is accepted.</summary>
    public static string? Argon2ShortfallMessage(int memoryKiB, int passes)
    {
        if (passes is < 1 or > Argon2MaximumIterations)
        {
            return $"Accounts:Argon2Iterations must be between 1 and {Argon2MaximumIterations} (default 2, with Accounts:Argon2MemoryKiB 19456).";
        }

        var minimum = OwaspMinimumMemoryKiB(passes);
        if (memoryKiB < minimum)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"Accounts:Argon2MemoryKiB {memoryKiB} with Accounts:Argon2Iterations {passes} is below OWASP's minimum for Argon2id (Password Storage Cheat Sheet: m=47104 t=1, m=19456 t=2, m=12288 t=3, m=9216 t=4, m=7168 t=5, p=1): set Accounts:Argon2MemoryKiB to at least {minimum}, or raise Accounts:Argon2Iterations, or remove both for the default m=19456 t=2.");
        }

        if (memoryKiB > Argon2MaximumMemoryKiB)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"Accounts:Argon2MemoryKiB must be at most {Argon2MaximumMemoryKiB} (256 MiB) per hash; each of Accounts:MaxConcurrentPasswordHashes concurrent hashes holds that much (default 19456).");
        }

        return null;
    }
}

public enum PasswordVerification
{
    Failed,
    Succeeded,

    /// <summary>Correct, but hashed with another algorithm or weaker parameters than configured: store a new hash.</summary>
    SucceededRehashNeeded,
}
