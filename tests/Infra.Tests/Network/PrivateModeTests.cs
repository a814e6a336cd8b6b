using System.Text.Json.Nodes;
using JwtFunctions.Infra.Tests.Infrastructure;

namespace JwtFunctions.Infra.Tests.Network;

/// <summary>
/// vnetEnabled: the private build (VNET_ENABLED=true) puts storage and the vault behind private
/// endpoints and closes their public access; the default build stays public and has no network.
/// </summary>
public sealed partial class PrivateModeTests
{
    private static DeploymentSnapshot Private => Artifacts.PrivateSnapshot;

    // Private Link group IDs and public-cloud zones (Learn: "Azure Private Endpoint private DNS zone values").
    public static TheoryData<string, string, string> Endpoints => new()
    {
        { "blob", "Microsoft.Storage/storageAccounts", "privatelink.blob.core.windows.net" },
        { "queue", "Microsoft.Storage/storageAccounts", "privatelink.queue.core.windows.net" },
        { "table", "Microsoft.Storage/storageAccounts", "privatelink.table.core.windows.net" },
        { "vault", "Microsoft.KeyVault/vaults", "privatelink.vaultcore.azure.net" },
    };

    public static TheoryData<string> PrivateResourceTypes => new() { "Microsoft.Storage/storageAccounts", "Microsoft.KeyVault/vaults" };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public void PrivateBuildHasAPrivateEndpointInTheEndpointSubnet(string groupId, string targetType, string zone)
    {
        var target = Private.Single(targetType).Str("id")!;
        var endpoint = Assert.Single(Private.OfType("Microsoft.Network/privateEndpoints"), e => GroupIds(e).Contains(groupId));
        var connection = endpoint.Node("properties.privateLinkServiceConnections")!.AsArray().Single()!;
        Assert.Equal(target, connection.Str("properties.privateLinkServiceId"), ignoreCase: true);
        Assert.EndsWith("/subnets/private-endpoints", endpoint.Str("properties.subnet.id"), StringComparison.Ordinal);
        Assert.NotNull(zone);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public void PrivateEndpointRegistersInAPrivateDnsZoneLinkedToTheNetwork(string groupId, string targetType, string zone)
    {
        var endpoint = Private.OfType("Microsoft.Network/privateEndpoints").Single(e => GroupIds(e).Contains(groupId));
        var group = Assert.Single(
            Private.OfType("Microsoft.Network/privateEndpoints/privateDnsZoneGroups"),
            g => g.Str("name")!.StartsWith(endpoint.Str("name") + "/", StringComparison.Ordinal));
        var zoneId = group.Node("properties.privateDnsZoneConfigs")!.AsArray().Single()!.Str("properties.privateDnsZoneId")!;
        Assert.EndsWith("/" + zone, Evaluate(zoneId), StringComparison.OrdinalIgnoreCase);

        var vnet = Private.Single("Microsoft.Network/virtualNetworks").Str("id")!;
        var link = Assert.Single(
            Private.OfType("Microsoft.Network/privateDnsZones/virtualNetworkLinks"),
            l => Evaluate(l.Str("name")!).StartsWith(zone + "/", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(vnet, link.Str("properties.virtualNetwork.id"), ignoreCase: true);
        Assert.False(link.Bool("properties.registrationEnabled") ?? true);
        Assert.NotNull(targetType);
    }

    [Theory]
    [MemberData(nameof(PrivateResourceTypes))]
    public void PrivateBuildDisablesPublicNetworkAccess(string type)
    {
        var resource = Private.Single(type);
        Assert.Equal("Disabled", resource.Str("properties.publicNetworkAccess"));
        Assert.Equal("Deny", resource.Str("properties.networkAcls.defaultAction"));
        Assert.Equal("None", resource.Str("properties.networkAcls.bypass"));
    }

    [Theory]
    [MemberData(nameof(PrivateResourceTypes))]
    public void DefaultBuildKeepsPublicAccessLikeTheQuickstart(string type)
    {
        Assert.Equal("Enabled", Artifacts.Snapshot.Single(type).Str("properties.publicNetworkAccess"));
    }

    [Fact]
    public void PrivateBuildIntegratesTheAppWithASubnetDelegatedToFlexConsumption()
    {
        var vnet = Private.Single("Microsoft.Network/virtualNetworks");
        var subnet = vnet.Node("properties.subnets")!.AsArray().Single(s => s!.Str("name") == "app")!;
        var delegation = subnet.Node("properties.delegations")!.AsArray().Single()!;
        Assert.Equal("Microsoft.App/environments", delegation.Str("properties.serviceName"));
        Assert.Equal($"{vnet.Str("id")}/subnets/app", Private.FunctionApp.Str("properties.virtualNetworkSubnetId"), ignoreCase: true);
    }

    [Fact]
    public void DefaultBuildHasNoNetworkResourcesAndNoIntegration()
    {
        Assert.DoesNotContain(Artifacts.Snapshot.Resources, r => r.Str("type")!.StartsWith("Microsoft.Network/", StringComparison.OrdinalIgnoreCase));
        Assert.Null(Artifacts.Snapshot.FunctionApp.Str("properties.virtualNetworkSubnetId"));
    }

    [Fact]
    public void AppItselfStaysReachableForItsClients()
    {
        // Only the data behind the app is private; the token API is public in both builds.
        Assert.Equal("Enabled", Private.FunctionApp.Str("properties.publicNetworkAccess"));
    }

    [Fact]
    public void HookLearnsWhetherTheVaultIsPrivate()
    {
        Assert.False(Artifacts.Snapshot.Outputs.Bool("AZURE_VNET_ENABLED"));
        Assert.True(Private.Outputs.Bool("AZURE_VNET_ENABLED"));
    }

    private static IEnumerable<string> GroupIds(JsonObject endpoint) =>
        endpoint.Node("properties.privateLinkServiceConnections")!.AsArray()
            .SelectMany(c => c!.Node("properties.groupIds")!.AsArray().Select(g => g!.GetValue<string>()));

    // Storage zone names use environment().suffixes.storage, which the snapshot leaves as an
    // expression; this evaluates it for the public cloud (core.windows.net).
    private static string Evaluate(string text)
    {
        var literal = StorageZone().Replace(text, "'privatelink.$1.core.windows.net'");
        var name = ChildName().Match(literal);
        if (name.Success)
        {
            return $"{name.Groups[1].Value}/{name.Groups[2].Value}";
        }

        var id = ZoneId().Match(literal);
        return id.Success ? "/providers/Microsoft.Network/privateDnsZones/" + id.Groups[1].Value : literal;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"format\('privatelink\.(\w+)\.\{0\}', environment\(\)\.suffixes\.storage\)")]
    private static partial System.Text.RegularExpressions.Regex StorageZone();

    [System.Text.RegularExpressions.GeneratedRegex(@"^\[format\('\{0\}/\{1\}', '([^']*)', '([^']*)'\)\]$")]
    private static partial System.Text.RegularExpressions.Regex ChildName();

    [System.Text.RegularExpressions.GeneratedRegex(@"^\[resourceId\(.*'Microsoft\.Network/privateDnsZones', '([^']*)'\)\]$")]
    private static partial System.Text.RegularExpressions.Regex ZoneId();
}
