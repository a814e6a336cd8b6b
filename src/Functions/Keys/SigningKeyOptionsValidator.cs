using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Keys;

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

        if (options.VaultUri is null && string.IsNullOrWhiteSpace(options.LocalKey))
        {
            failures.Add("No signing key is configured. In Azure set SigningKeys__VaultUri (and SigningKeys__SecretName); "
                + "for local development set SigningKeys__LocalKey to the output of `openssl rand -base64 32`.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[0-9A-Za-z-]{1,127}$")]
    private static partial Regex SecretNamePattern();
}
