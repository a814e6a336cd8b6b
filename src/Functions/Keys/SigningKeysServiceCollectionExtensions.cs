using JwtFunctions.Hosting;
using JwtFunctions.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Keys;

public static class SigningKeysServiceCollectionExtensions
{
    /// <summary>
    /// The signing key ring: Key Vault when <c>SigningKeys:VaultUri</c> is set, else the local
    /// development key; loaded and refreshed in the background.
    /// </summary>
    public static IServiceCollection AddSigningKeys(this IServiceCollection services)
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
