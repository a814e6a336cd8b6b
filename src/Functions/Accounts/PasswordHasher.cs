using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Accounts;

/// <summary>
/// Salted PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) with the BCL's implementation, in a versioned format
/// <c>$pbkdf2-sha256$v=1$i=ITERATIONS$SALT$HASH</c> (base64), so the parameters can be raised later
/// and old hashes still verify. Comparison is constant-time.
/// </summary>
public sealed class PasswordHasher
{
    private const string Prefix = "$pbkdf2-sha256$v=1$i=";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly int _iterations;
    private readonly byte[] _dummySalt = RandomNumberGenerator.GetBytes(SaltBytes);
    private readonly byte[] _dummyHash = RandomNumberGenerator.GetBytes(HashBytes);

    public PasswordHasher(IOptions<AccountOptions> options)
    {
        _iterations = options.Value.PasswordHashIterations;
    }

    public int Iterations => _iterations;

    public string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, _iterations);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{_iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    public PasswordVerification Verify(string password, string storedHash)
    {
        if (!TryParse(storedHash, out var iterations, out var salt, out var expected))
        {
            // Still spend the same work, so a damaged record is not told apart by timing.
            VerifyAgainstDummy(password);
            return PasswordVerification.Failed;
        }

        var actual = Derive(password, salt, iterations);
        if (!CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            return PasswordVerification.Failed;
        }

        return iterations < _iterations ? PasswordVerification.SucceededRehashNeeded : PasswordVerification.Succeeded;
    }

    /// <summary>
    /// The same work as a real verification, for unknown users, so that an unknown username and a
    /// wrong password take about the same time (OWASP Authentication Cheat Sheet, "response times").
    /// </summary>
    public void VerifyAgainstDummy(string? password)
    {
        var actual = Derive(password ?? string.Empty, _dummySalt, _iterations);
        CryptographicOperations.FixedTimeEquals(actual, _dummyHash);
    }

    private static byte[] Derive(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);

    private static bool TryParse(string stored, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = stored[Prefix.Length..].Split('$');
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

public enum PasswordVerification
{
    Failed,
    Succeeded,

    /// <summary>Correct, but hashed with weaker parameters than configured: store a new hash.</summary>
    SucceededRehashNeeded,
}
