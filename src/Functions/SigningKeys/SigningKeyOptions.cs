using System.Text.RegularExpressions;
using JwtFunctions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JwtFunctions.SigningKeys;

/// <summary>
/// Where the HMAC signing key comes from. Bound from the <c>SigningKeys</c> configuration section
/// (app settings <c>SigningKeys__VaultUri</c>, <c>SigningKeys__SecretName</c>, ...).
/// </summary>
public sealed class SigningKeyOptions
{
    public const string SectionName = "SigningKeys";

    /// <summary>Default name of the Key Vault secret that holds the signing key.</summary>
    public const string DefaultSecretName = "jwt-signing-key";

    /// <summary>The default of <see cref="AccessDeniedGracePeriod"/>.</summary>
    public static readonly TimeSpan DefaultAccessDeniedGracePeriod = TimeSpan.FromHours(1);

    /// <summary>
    /// URI of the Key Vault, e.g. <c>https://my-vault.vault.azure.net/</c>. When set, every key comes
    /// from that vault and <see cref="LocalKey"/> is ignored. Default: not set.
    /// </summary>
    public Uri? VaultUri { get; set; }

    /// <summary>Name of the secret in the vault. Default <c>jwt-signing-key</c>.</summary>
    public string SecretName { get; set; } = DefaultSecretName;

    /// <summary>How often the key ring is re-read from the vault. Default 5 minutes.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a new key version is only published (in the JWKS, and accepted) before it signs, so
    /// verifiers that cache the JWKS have fetched it before the first token names it. Set it to at
    /// least the JWKS cache lifetime plus <see cref="RefreshInterval"/> with ES256 / RS256 (e.g.
    /// <c>00:15:00</c>). Default <c>00:00:00</c>: a new version signs as soon as it is read.
    /// </summary>
    public TimeSpan ActivationDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How long the app keeps issuing tokens with its cached keys after Key Vault answers 401 / 403
    /// (the app's access was removed), counted from the first refused read. After it, login and
    /// refresh answer 503 until a read succeeds; tokens already issued are still accepted for the
    /// access-token lifetime plus the clock skew, then nothing is accepted either. Default 1 hour.
    /// </summary>
    public TimeSpan AccessDeniedGracePeriod { get; set; } = DefaultAccessDeniedGracePeriod;

    /// <summary>
    /// Local development only: the signing key itself: for HS* base64 of random bytes (at least as
    /// many bytes as the algorithm's hash: 32 for HS256), for ES256 / RS256 a PEM PKCS#8 private key.
    /// Used only when <see cref="VaultUri"/> is not set, and a warning is logged. Default: not set.
    /// </summary>
    public string? LocalKey { get; set; }

    /// <summary>
    /// Client id of a user-assigned managed identity to use for Key Vault (the app's
    /// <c>AZURE_CLIENT_ID</c> is used when this is not set). Default: not set.
    /// </summary>
    public string? ManagedIdentityClientId { get; set; }
}

/// <summary>Start-up checks of <see cref="SigningKeyOptions"/>, each message saying how to fix it.</summary>
public sealed partial class SigningKeyOptionsValidator : IValidateOptions<SigningKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, SigningKeyOptions options)
    {
        var failures = new List<string>();
        if (options.VaultUri is not null && (!options.VaultUri.IsAbsoluteUri || options.VaultUri.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add("SigningKeys:VaultUri must be the vault's absolute https URI, e.g. https://my-vault.vault.azure.net/.");
        }

        if (!SecretNamePattern().IsMatch(options.SecretName ?? string.Empty))
        {
            failures.Add("SigningKeys:SecretName must be 1-127 letters, digits or dashes (a Key Vault secret name); the default is jwt-signing-key.");
        }

        if (options.RefreshInterval < TimeSpan.FromSeconds(10) || options.RefreshInterval > TimeSpan.FromDays(1))
        {
            failures.Add("SigningKeys:RefreshInterval must be between 00:00:10 and 1.00:00:00; the default is 00:05:00.");
        }

        if (options.ActivationDelay < TimeSpan.Zero || options.ActivationDelay > TimeSpan.FromDays(1))
        {
            failures.Add("SigningKeys:ActivationDelay must be between 00:00:00 and 1.00:00:00; the default is 00:00:00 "
                + "(with ES256 / RS256 use at least the JWKS cache time plus SigningKeys:RefreshInterval, e.g. 00:15:00).");
        }

        if (options.AccessDeniedGracePeriod < TimeSpan.Zero || options.AccessDeniedGracePeriod > TimeSpan.FromDays(1))
        {
            failures.Add("SigningKeys:AccessDeniedGracePeriod must be between 00:00:00 and 1.00:00:00; the default is 01:00:00 "
                + "(how long the app keeps issuing with cached keys after Key Vault refuses it with 401 / 403; 00:00:00 stops at the first refusal).");
        }

        if (options.VaultUri is null && string.IsNullOrWhiteSpace(options.LocalKey))
        {
            failures.Add("No signing key is configured. In Azure set SigningKeys__VaultUri (and SigningKeys__SecretName); "
                + "for local development set SigningKeys__LocalKey to the output of `openssl rand -base64 32` "
                + "(for ES256 / RS256: a PEM private key from `openssl genpkey`; ./run writes one).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[0-9A-Za-z-]{1,127}$")]
    private static partial Regex SecretNamePattern();
}

public static class SigningKeysServiceCollectionExtensions
{
    /// <summary>
    /// The signing key ring: Key Vault when <c>SigningKeys:VaultUri</c> is set, else the local
    /// development key; loaded and refreshed in the background.
    /// </summary>
    internal static IServiceCollection AddSigningKeys(this IServiceCollection services)
    {
        services.AddValidatedOptions<SigningKeyOptions, SigningKeyOptionsValidator>(SigningKeyOptions.SectionName);
        services.TryAddSingleton<ISigningKeySource>(CreateSource);
        services.TryAddSingleton<SigningKeyRing>();
        services.AddHostedService<SigningKeyRefreshService>();
        return services;
    }

    private static ISigningKeySource CreateSource(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<SigningKeyOptions>>().Value;
        if (options.VaultUri is null)
        {
            KeyLog.UsingLocalKey(provider.GetRequiredService<ILoggerFactory>().CreateLogger<SigningKeyRing>());
            return new LocalSigningKeySource(options.LocalKey);
        }

        var client = KeyVaultSigningKeySource.CreateClient(options.VaultUri, AzureCredentials.Create(options.ManagedIdentityClientId));
        return new KeyVaultSigningKeySource(client, options.SecretName, provider.GetRequiredService<TimeProvider>());
    }
}
