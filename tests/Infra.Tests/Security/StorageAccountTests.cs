using JwtFunctions.Infra.Tests.Infrastructure;

namespace JwtFunctions.Infra.Tests.Security;

public sealed class StorageAccountTests
{
    private static System.Text.Json.Nodes.JsonObject Account => Artifacts.Snapshot.Single("Microsoft.Storage/storageAccounts");

    [Fact]
    public void StorageAccountRefusesSharedKeyAccess()
    {
        Assert.False(Account.Bool("properties.allowSharedKeyAccess") ?? true, "properties.allowSharedKeyAccess must be false: account keys and SAS signed with them must not work.");
    }

    [Fact]
    public void StorageAccountRefusesAnonymousBlobAccess()
    {
        Assert.False(Account.Bool("properties.allowBlobPublicAccess") ?? true, "properties.allowBlobPublicAccess must be false.");
    }

    [Fact]
    public void StorageAccountRequiresHttpsAndTls12()
    {
        Assert.Equal("TLS1_2", Account.Str("properties.minimumTlsVersion"));
        Assert.True(Account.Bool("properties.supportsHttpsTrafficOnly"), "properties.supportsHttpsTrafficOnly must be true.");
    }

    [Fact]
    public void StoragePortalAndToolsDefaultToEntraId()
    {
        Assert.True(Account.Bool("properties.defaultToOAuthAuthentication"), "properties.defaultToOAuthAuthentication must be true.");
    }

    [Fact]
    public void DeploymentPackageContainerIsPrivate()
    {
        var container = Artifacts.Snapshot.Single("Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.Equal("None", container.Str("properties.publicAccess"));
    }

    [Fact]
    public void StorageIsZoneRedundantByDefault()
    {
        Assert.Equal("Standard_ZRS", Account.Str("sku.name"));
    }

    [Fact]
    public void DeletedBlobsAndContainersStayRecoverable()
    {
        var blob = Artifacts.Snapshot.Single("Microsoft.Storage/storageAccounts/blobServices");
        foreach (var policy in new[] { "deleteRetentionPolicy", "containerDeleteRetentionPolicy" })
        {
            Assert.True(blob.Bool($"properties.{policy}.enabled"), $"{policy} must be enabled.");
            Assert.InRange(blob.Int($"properties.{policy}.days") ?? 0, 1, 365);
        }
    }

    public static TheoryData<string, string, bool> DiagnosticTargets => new()
    {
        { "Microsoft.Storage/storageAccounts", "Transaction", false },
        { "Microsoft.Storage/storageAccounts/blobServices", "Transaction", true },
        { "Microsoft.Storage/storageAccounts/queueServices", "Transaction", true },
        { "Microsoft.Storage/storageAccounts/tableServices", "Transaction", true },
    };

    [Theory]
    [MemberData(nameof(DiagnosticTargets))]
    public void StorageSendsItsLogsAndMetricsToTheWorkspace(string type, string metric, bool logs)
    {
        var id = Artifacts.Snapshot.Single(type).Str("id")!;
        var setting = Assert.Single(
            Artifacts.Snapshot.OfType("Microsoft.Insights/diagnosticSettings"),
            d => d.Str("id")!.StartsWith(id + "/providers/Microsoft.Insights/diagnosticSettings/", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(Artifacts.Snapshot.Single("Microsoft.OperationalInsights/workspaces").Str("id"), setting.Str("properties.workspaceId"));
        Assert.Contains(setting.Node("properties.metrics")!.AsArray(), m => m!.Str("category") == metric && m.Bool("enabled") == true);
        if (logs)
        {
            Assert.Contains(setting.Node("properties.logs")!.AsArray(), l => l!.Str("categoryGroup") == "allLogs" && l.Bool("enabled") == true);
        }
    }
}
