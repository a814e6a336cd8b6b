using System.Reflection;
using JwtFunctions.Accounts;
using JwtFunctions.Hosting;
using JwtFunctions.Infra.Tests.Infrastructure;
using JwtFunctions.SigningKeys;
using JwtFunctions.Tokens;

namespace JwtFunctions.Infra.Tests.Configuration;

/// <summary>
/// The app settings in the templates must name the options the app binds (configuration key
/// "Section:Property" is the app setting "Section__Property"). A rename on either side fails here.
/// </summary>
public sealed class AppSettingNameDriftTests
{
    private static IReadOnlyDictionary<string, string> Settings => Artifacts.Snapshot.AppSettings;

    public static TheoryData<string> SettingsTheAppBindsInAzure => new()
    {
        SigningKeyOptions.SectionName + "__" + nameof(SigningKeyOptions.VaultUri),
        SigningKeyOptions.SectionName + "__" + nameof(SigningKeyOptions.SecretName),
        SigningKeyOptions.SectionName + "__" + nameof(SigningKeyOptions.ManagedIdentityClientId),
        JwtOptions.SectionName + "__" + nameof(JwtOptions.Issuer),
        JwtOptions.SectionName + "__" + nameof(JwtOptions.Algorithm),
        JwtOptions.SectionName + "__" + nameof(JwtOptions.Audience),
        AccountOptions.SectionName + "__" + nameof(AccountOptions.RegistrationEnabled),

        // The Cleanup timer's %Cleanup:Schedule%: unresolved, the host does not run the function.
        JwtFunctions.Cleanup.CleanupOptions.SectionName + "__" + nameof(JwtFunctions.Cleanup.CleanupOptions.Schedule),

        // The table client reads the identity-based form of the Functions storage connection.
        StorageOptions.ConnectionName + "__tableServiceUri",
        StorageOptions.ConnectionName + "__clientId",
    };

    [Theory]
    [MemberData(nameof(SettingsTheAppBindsInAzure))]
    public void TemplatesSetTheOptionUnderTheNameTheAppBinds(string setting)
    {
        Assert.True(
            Settings.ContainsKey(setting),
            $"The Function App has no app setting {setting}; settings are: {string.Join(", ", Settings.Keys.Order())}.");
    }

    [Fact]
    public void EveryOptionsSettingInTheTemplatesNamesARealOptionsProperty()
    {
        var sections = typeof(SigningKeyOptions).Assembly.GetTypes()
            .Select(t => (Type: t, Field: t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)))
            .Where(x => x.Field is { IsLiteral: true } && x.Field.FieldType == typeof(string))
            .ToDictionary(x => (string)x.Field!.GetRawConstantValue()!, x => x.Type, StringComparer.Ordinal);
        Assert.Contains(SigningKeyOptions.SectionName, sections.Keys);

        foreach (var name in Settings.Keys)
        {
            var parts = name.Split("__");
            if (parts.Length != 2 || !sections.TryGetValue(parts[0], out var optionsType))
            {
                continue;
            }

            Assert.True(
                optionsType.GetProperty(parts[1], BindingFlags.Public | BindingFlags.Instance) is { CanWrite: true },
                $"App setting {name} names no settable property of {optionsType.FullName}; the app would ignore it.");
        }
    }

    [Fact]
    public void TemplateSecretNameDefaultIsTheAppDefault()
    {
        Assert.Equal(SigningKeyOptions.DefaultSecretName, Settings[SigningKeyOptions.SectionName + "__" + nameof(SigningKeyOptions.SecretName)]);
        Assert.Equal(SigningKeyOptions.DefaultSecretName, Artifacts.CompiledTemplate.Str("parameters.signingKeySecretName.defaultValue"));
        Assert.Equal(SigningKeyOptions.DefaultSecretName, Artifacts.Snapshot.Outputs.Str("AZURE_SIGNING_KEY_SECRET_NAME"));
    }

    [Fact]
    public void TemplateIssuerAndAudienceDefaultsAreTheAppDefaults()
    {
        var defaults = new JwtOptions();
        Assert.Equal(defaults.Issuer, Settings[JwtOptions.SectionName + "__" + nameof(JwtOptions.Issuer)]);
        Assert.Equal(defaults.Audience, Settings[JwtOptions.SectionName + "__" + nameof(JwtOptions.Audience)]);
    }

    [Fact]
    public void RegistrationSettingParsesAsABooleanThatIsOff()
    {
        var value = Settings[AccountOptions.SectionName + "__" + nameof(AccountOptions.RegistrationEnabled)];
        Assert.True(bool.TryParse(value, out var enabled), $"'{value}' is not a boolean.");
        Assert.False(enabled);
    }
}
