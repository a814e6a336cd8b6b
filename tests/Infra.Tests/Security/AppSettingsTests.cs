using System.Text.RegularExpressions;
using JwtFunctions.Infra.Tests.Infrastructure;

namespace JwtFunctions.Infra.Tests.Security;

public sealed partial class AppSettingsTests
{
    private static IReadOnlyDictionary<string, string> Settings => Artifacts.Snapshot.AppSettings;

    private static string ClientIdExpression => Settings["AZURE_CLIENT_ID"];

    [Theory]
    [InlineData("AzureWebJobsStorage__credential")]
    [InlineData("AzureWebJobsStorage__clientId")]
    [InlineData("AzureWebJobsStorage__blobServiceUri")]
    [InlineData("AzureWebJobsStorage__queueServiceUri")]
    [InlineData("AzureWebJobsStorage__tableServiceUri")]
    public void HostStorageConnectsWithTheManagedIdentity(string setting)
    {
        Assert.True(Settings.ContainsKey(setting), $"App setting {setting} is missing (identity-based AzureWebJobsStorage needs it).");
        Assert.False(string.IsNullOrWhiteSpace(Settings[setting]), $"App setting {setting} is empty.");
    }

    [Fact]
    public void HostStorageCredentialIsTheUserAssignedIdentity()
    {
        Assert.Equal("managedidentity", Settings["AzureWebJobsStorage__credential"]);
        Assert.Equal(ClientIdExpression, Settings["AzureWebJobsStorage__clientId"]);
        Assert.Equal($"[reference('{Id("Microsoft.ManagedIdentity/userAssignedIdentities")}', '2023-01-31').clientId]", ClientIdExpression);
    }

    [Theory]
    [InlineData("AzureWebJobsStorage__blobServiceUri", "blob")]
    [InlineData("AzureWebJobsStorage__queueServiceUri", "queue")]
    [InlineData("AzureWebJobsStorage__tableServiceUri", "table")]
    public void HostStorageServiceUrisAreThoseOfTheStorageAccountDeployedHere(string setting, string service)
    {
        var value = Settings[setting];
        Assert.StartsWith($"[reference('{Id("Microsoft.Storage/storageAccounts")}', ", value, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith($").primaryEndpoints.{service}]", value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AzureWebJobsStorage")]
    [InlineData("AzureWebJobsStorage__accountName")]
    [InlineData("AzureWebJobsDashboard")]
    [InlineData("WEBSITE_CONTENTAZUREFILECONNECTIONSTRING")]
    [InlineData("DEPLOYMENT_STORAGE_CONNECTION_STRING")]
    public void NoStorageConnectionStringSettingExists(string setting)
    {
        Assert.False(Settings.ContainsKey(setting), $"App setting {setting} must not exist: storage is reached by identity only.");
    }

    [Theory]
    [InlineData("FUNCTIONS_WORKER_RUNTIME")]
    [InlineData("FUNCTIONS_EXTENSION_VERSION")]
    [InlineData("WEBSITE_RUN_FROM_PACKAGE")]
    [InlineData("APPINSIGHTS_INSTRUMENTATIONKEY")]
    public void SettingsThatFlexConsumptionRejectsOrThatLeakKeysAreAbsent(string setting)
    {
        Assert.False(Settings.ContainsKey(setting), $"App setting {setting} must not be set on a Flex Consumption app.");
    }

    [Fact]
    public void NoAppSettingCarriesAnAccountKeyOrSecretLiteral()
    {
        foreach (var (name, value) in Settings)
        {
            var finding = SecretScanner.Find(value);
            Assert.True(finding is null, $"App setting {name} looks like it carries secret material: {finding}");
            Assert.DoesNotMatch(ListFunction(), value);
        }
    }

    [Fact]
    public void ApplicationInsightsIsReachedWithEntraIdAsTheUserAssignedIdentity()
    {
        Assert.Equal(
            $"[reference('{Id("Microsoft.Insights/components")}', '2020-02-02').ConnectionString]",
            Settings["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        var authentication = Settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"];
        Assert.StartsWith("[format('ClientId={0};Authorization=AAD', ", authentication, StringComparison.Ordinal);
        Assert.Contains(ClientIdExpression.Trim('[', ']'), authentication, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultAzureCredentialAndKeyVaultClientUseTheUserAssignedIdentity()
    {
        Assert.Equal(ClientIdExpression, Settings["SigningKeys__ManagedIdentityClientId"]);
    }

    [Fact]
    public void AppReadsTheSigningKeyFromTheVaultDeployedHere()
    {
        var value = Settings["SigningKeys__VaultUri"];
        Assert.StartsWith($"[reference('{Id("Microsoft.KeyVault/vaults")}', ", value, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith(").vaultUri]", value, StringComparison.Ordinal);
    }

    [Fact]
    public void HostRefusesBodiesLargerThan32KiBBeforeBufferingThem()
    {
        // The host default is 100 MB; the app itself rejects bodies over 16 KiB, after the host
        // has read them. The host limit must be above the app's and far below the default.
        Assert.True(int.TryParse(Settings["FUNCTIONS_REQUEST_BODY_SIZE_LIMIT"], out var limit), Settings.GetValueOrDefault("FUNCTIONS_REQUEST_BODY_SIZE_LIMIT"));
        Assert.Equal(32 * 1024, limit);
        Assert.InRange(limit, 16 * 1024, 1024 * 1024);
    }

    [Fact]
    public void DefaultHomepageIsDisabled()
    {
        Assert.Equal("true", Settings["AzureWebJobsDisableHomepage"]);
    }

    [Fact]
    public void RegistrationIsOffInAzureByDefault()
    {
        Assert.Equal("false", Settings["Accounts__RegistrationEnabled"]);
    }

    private static string Id(string type) => Artifacts.Snapshot.Single(type).Str("id")!;

    [GeneratedRegex(@"\blist[A-Za-z]*\(", RegexOptions.IgnoreCase)]
    private static partial Regex ListFunction();
}
