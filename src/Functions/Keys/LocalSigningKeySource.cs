namespace JwtFunctions.Keys;

/// <summary>The development-only key from <see cref="SigningKeyOptions.LocalKey"/>; its <c>kid</c> is <c>local</c>.</summary>
public sealed class LocalSigningKeySource(string? value) : ISigningKeySource
{
    public const string KeyId = "local";

    public string Name => "local-setting";

    public Task<IReadOnlyList<SigningKeyVersion>> LoadAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SigningKeyVersion>>(
            string.IsNullOrWhiteSpace(value) ? [] : [new SigningKeyVersion(KeyId, value, null, null)]);
}
