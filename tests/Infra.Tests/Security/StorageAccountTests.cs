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
}
