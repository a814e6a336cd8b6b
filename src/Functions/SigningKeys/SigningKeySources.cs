using System.Collections.Concurrent;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;

namespace JwtFunctions.SigningKeys;

/// <summary>Reads the enabled, currently valid versions of the signing secret, newest first.</summary>
public interface ISigningKeySource
{
    /// <summary>A short name for logs and health (<c>key-vault</c> or <c>local-setting</c>).</summary>
    string Name { get; }

    /// <exception cref="SigningKeyAccessDeniedException">The source answered that this app may not read the key (401 / 403).</exception>
    /// <exception cref="Exception">Any failure to reach the source; the caller keeps its last good keys.</exception>
    Task<IReadOnlyList<SigningKeyVersion>> LoadAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Thrown when a token is to be signed after the only unexpired signing key version reached its
/// <c>expires</c> (between the caller's check and the signature): the vault holds no valid key,
/// a configuration fault. Answered like any missing key: 503 <c>temporarily_unavailable</c>.
/// </summary>
public sealed class SigningKeyUnavailableException()
    : Exception("No unexpired signing key version is left to sign with.");

/// <summary>
/// The source answered, refusing this app access to the key (Key Vault 401 or 403: the app's
/// identity lost its role or access policy, or the token is for another tenant). Unlike an outage,
/// this does not heal by waiting, so the ring serves its cached keys only for
/// <see cref="SigningKeyOptions.AccessDeniedGracePeriod"/>. The message holds the status alone.
/// </summary>
public sealed class SigningKeyAccessDeniedException(int status, Exception? innerException = null)
    : Exception($"The signing key source refused access (HTTP {status}).", innerException)
{
    /// <summary>The HTTP status the source answered with (401 or 403).</summary>
    public int Status { get; } = status;
}

/// <summary>The development-only key from <see cref="SigningKeyOptions.LocalKey"/>; its <c>kid</c> is <c>local</c>.</summary>
public sealed class LocalSigningKeySource(string? value) : ISigningKeySource
{
    public const string KeyId = "local";

    public string Name => "local-setting";

    public Task<IReadOnlyList<SigningKeyVersion>> LoadAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SigningKeyVersion>>(
            string.IsNullOrWhiteSpace(value) ? [] : [new SigningKeyVersion(KeyId, value, null, null)]);
}

/// <summary>
/// Reads the signing secret's versions from Key Vault. Every enabled version inside its
/// not-before/expires window is returned, newest first, so a rotation (a new version) starts
/// signing at once while tokens signed with older versions stay valid until those are disabled.
/// Secret versions are immutable, so each value is fetched once and kept.
/// </summary>
public sealed class KeyVaultSigningKeySource : ISigningKeySource
{
    /// <summary>Bounds the work per refresh; older versions than this are no longer accepted.</summary>
    public const int MaxVersions = 10;

    private readonly SecretClient _client;
    private readonly string _secretName;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, string?> _valuesByVersion = new(StringComparer.Ordinal);

    public KeyVaultSigningKeySource(SecretClient client, string secretName, TimeProvider time)
    {
        _client = client;
        _secretName = secretName;
        _time = time;
    }

    public string Name => "key-vault";

    /// <summary>
    /// The production client: bounded per-call retries (the background refresh has its own backoff
    /// on top) and the SDK's challenge-resource verification left on. Tests pass their own transport.
    /// </summary>
    public static SecretClient CreateClient(Uri vaultUri, TokenCredential credential, HttpPipelineTransport? transport = null)
    {
        var options = new SecretClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        if (transport is not null)
        {
            options.Transport = transport;
        }

        return new SecretClient(vaultUri, credential, options);
    }

    public async Task<IReadOnlyList<SigningKeyVersion>> LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await LoadVersionsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 401 or 403)
        {
            // The vault answered and refused (after the SDK's own challenge round trip for 401).
            throw new SigningKeyAccessDeniedException(ex.Status, ex);
        }
    }

    private async Task<IReadOnlyList<SigningKeyVersion>> LoadVersionsAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var listed = new List<SecretProperties>();
        try
        {
            await foreach (var properties in _client.GetPropertiesOfSecretVersionsAsync(_secretName, cancellationToken).ConfigureAwait(false))
            {
                if (properties.Enabled == true
                    && (properties.NotBefore is null || properties.NotBefore <= now)
                    && (properties.ExpiresOn is null || properties.ExpiresOn > now))
                {
                    listed.Add(properties);
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The vault answered: there is no such secret. That is a configuration problem
            // (fail closed), not an outage.
            return [];
        }

        var newest = listed
            .OrderByDescending(p => p.CreatedOn ?? DateTimeOffset.MinValue)
            .ThenByDescending(p => p.Version, StringComparer.Ordinal)
            .Take(MaxVersions)
            .ToList();

        var versions = new List<SigningKeyVersion>(newest.Count);
        foreach (var properties in newest)
        {
            if (!_valuesByVersion.TryGetValue(properties.Version, out var value))
            {
                var secret = await _client.GetSecretAsync(_secretName, properties.Version, cancellationToken).ConfigureAwait(false);
                value = secret.Value.Value;
                _valuesByVersion[properties.Version] = value;
            }

            versions.Add(new SigningKeyVersion(properties.Version, value, properties.CreatedOn, properties.ExpiresOn));
        }

        // Forget values of versions that are gone or disabled, so a disabled key leaves memory too.
        foreach (var known in _valuesByVersion.Keys)
        {
            if (!newest.Any(p => p.Version == known))
            {
                _valuesByVersion.TryRemove(known, out _);
            }
        }

        return versions;
    }
}
