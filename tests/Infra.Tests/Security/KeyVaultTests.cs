using JwtFunctions.Infra.Tests.Infrastructure;

namespace JwtFunctions.Infra.Tests.Security;

public sealed class KeyVaultTests
{
    private static System.Text.Json.Nodes.JsonObject Vault => Artifacts.Snapshot.Single("Microsoft.KeyVault/vaults");

    [Fact]
    public void KeyVaultAuthorizesWithAzureRbacOnly()
    {
        Assert.True(Vault.Bool("properties.enableRbacAuthorization"), "properties.enableRbacAuthorization must be true.");
        Assert.Null(Vault.Node("properties.accessPolicies"));
    }

    [Fact]
    public void KeyVaultKeepsDeletedSecretsRecoverable()
    {
        Assert.True(Vault.Bool("properties.enableSoftDelete"), "properties.enableSoftDelete must be true.");
        Assert.True(Vault.Bool("properties.enablePurgeProtection"), "properties.enablePurgeProtection must be true.");
        Assert.InRange(Vault.Int("properties.softDeleteRetentionInDays") ?? 0, 7, 90);
    }

    [Theory]
    [InlineData("enabledForDeployment")]
    [InlineData("enabledForTemplateDeployment")]
    [InlineData("enabledForDiskEncryption")]
    public void KeyVaultDoesNotReleaseSecretsToOtherAzureServices(string property)
    {
        Assert.True(Vault.Bool($"properties.{property}") == false, $"properties.{property} must be explicitly false.");
    }

    [Fact]
    public void SigningSecretIsNotCreatedByTheTemplates()
    {
        // Bicep has no CSPRNG; the secret comes from infra/hooks/postprovision.sh. A secret
        // resource in the template would put its value into the deployment history.
        Assert.Empty(Artifacts.Snapshot.OfType("Microsoft.KeyVault/vaults/secrets"));
        Assert.DoesNotContain("Microsoft.KeyVault/vaults/secrets", Artifacts.CompiledTemplateText, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void KeyVaultSendsItsLogsToLogAnalytics()
    {
        var vaultId = Vault.Str("id")!;
        var settings = Artifacts.Snapshot.OfType("Microsoft.Insights/diagnosticSettings")
            .Where(d => d.Str("id")!.StartsWith(vaultId + "/providers/", StringComparison.OrdinalIgnoreCase))
            .ToList();
        var setting = Assert.Single(settings);
        Assert.Equal(Artifacts.Snapshot.Single("Microsoft.OperationalInsights/workspaces").Str("id"), setting.Str("properties.workspaceId"));
        Assert.Contains(setting.Node("properties.logs")!.AsArray(), l => l!.Str("categoryGroup") is "allLogs" or "audit" && l.Bool("enabled") == true);
    }

    [Fact]
    public void VaultNameIsUnchangedWithoutASalt()
    {
        // Existing deployments keep their vault (and signing key) when they update the template.
        var token = Artifacts.Snapshot.FunctionApp.Str("name")!["func-".Length..];
        Assert.Equal($"kv-{token}", Vault.Str("name"));
    }

    [Fact]
    public void SaltFromTheAzdEnvironmentGivesAFreshValidVaultName()
    {
        // After `azd down --purge` the old name is held by the soft-deleted, purge-protected vault;
        // `azd env set AZURE_KEY_VAULT_NAME_SALT <new>` makes main.bicepparam pick another one.
        var salted = Artifacts.SaltedSnapshot.Single("Microsoft.KeyVault/vaults").Str("name")!;
        Assert.NotEqual(Vault.Str("name"), salted);
        Assert.Matches("^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$", salted);
        Assert.DoesNotContain("--", salted, StringComparison.Ordinal);
        Assert.Equal(salted, Artifacts.SaltedSnapshot.Outputs.Str("AZURE_KEY_VAULT_NAME"));
        Assert.EndsWith($"/{salted}", Artifacts.SaltedSnapshot.RoleAssignments.Single(a => a.IsRole(RoleAssignmentTests.KeyVaultSecretsUser)).Scope, StringComparison.Ordinal);
    }
}
