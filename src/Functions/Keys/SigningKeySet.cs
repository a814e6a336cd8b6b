using System.Collections.Frozen;

namespace JwtFunctions.Keys;

/// <summary>
/// An immutable snapshot of the usable key versions: the newest signs, every one validates.
/// Replaced as a whole on refresh, so readers on the request path never lock.
/// </summary>
public sealed class SigningKeySet
{
    private readonly FrozenDictionary<string, SigningKey> _byKeyId;

    public SigningKeySet(IReadOnlyList<SigningKey> newestFirst, DateTimeOffset loadedAt)
    {
        ArgumentNullException.ThrowIfNull(newestFirst);
        if (newestFirst.Count == 0)
        {
            throw new ArgumentException("A key set needs at least one key.", nameof(newestFirst));
        }

        Keys = newestFirst;
        LoadedAt = loadedAt;
        _byKeyId = newestFirst.ToFrozenDictionary(k => k.KeyId, StringComparer.Ordinal);
    }

    /// <summary>The key new tokens are signed with: the newest enabled version.</summary>
    public SigningKey Current => Keys[0];

    public IReadOnlyList<SigningKey> Keys { get; }

    public DateTimeOffset LoadedAt { get; }

    public bool TryGetValidationKey(string? keyId, DateTimeOffset now, out SigningKey key)
    {
        if (keyId is not null && _byKeyId.TryGetValue(keyId, out key!) && (key.ExpiresOn is null || key.ExpiresOn > now))
        {
            return true;
        }

        key = null!;
        return false;
    }
}
