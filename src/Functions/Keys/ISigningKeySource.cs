namespace JwtFunctions.Keys;

/// <summary>Reads the enabled, currently valid versions of the signing secret, newest first.</summary>
public interface ISigningKeySource
{
    /// <summary>A short name for logs and health (<c>key-vault</c> or <c>local-setting</c>).</summary>
    string Name { get; }

    /// <exception cref="Exception">Any failure to reach the source; the caller keeps its last good keys.</exception>
    Task<IReadOnlyList<SigningKeyVersion>> LoadAsync(CancellationToken cancellationToken);
}
