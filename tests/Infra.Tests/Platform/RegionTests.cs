using JwtFunctions.Infra.Tests.Infrastructure;

namespace JwtFunctions.Infra.Tests.Platform;

/// <summary>`location` is limited to regions that offer Flex Consumption with dotnet-isolated 10.0.</summary>
public sealed class RegionTests
{
    // Source: Azure-Samples/functions-quickstart-dotnet-azd, infra/main.bicep at commit fe74255
    // (2026-02-24): the @allowed list of its location parameter, last refreshed 2025-05-05 (commit
    // e35589c, "Updated location/region list for Flex Consumption") and kept when the sample moved
    // to runtime dotnet-isolated 10.0 on 2026-02-21 (7a7e4c5, 9633052). Checked again against a
    // fresh copy of that repository: the same 31 regions plus eastus2euap. Left out:
    // eastus2euap (a canary region, not open to ordinary subscriptions). The Learn page only says
    // "not all regions are supported" and points to `az functionapp list-flexconsumption-locations`;
    // no stored source lists .NET 10 per region, so this list is about ten months old on 2026-12-01.
    public static readonly string[] FlexConsumptionDotnet10Regions =
    [
        "australiaeast", "australiasoutheast", "brazilsouth", "canadacentral", "centralindia", "centralus",
        "eastasia", "eastus", "eastus2", "francecentral", "germanywestcentral", "italynorth", "japaneast",
        "koreacentral", "northcentralus", "northeurope", "norwayeast", "southafricanorth", "southcentralus",
        "southeastasia", "southindia", "spaincentral", "swedencentral", "uaenorth", "uksouth", "ukwest",
        "westcentralus", "westeurope", "westus", "westus2", "westus3",
    ];

    private static System.Text.Json.Nodes.JsonNode Location => Artifacts.CompiledTemplate.Node("parameters.location")!;

    [Fact]
    public void LocationIsLimitedToTheRegionsThatOfferFlexConsumptionWithDotnet10()
    {
        var allowed = Location["allowedValues"]?.AsArray().Select(v => v!.GetValue<string>()).Order().ToArray();
        Assert.True(allowed is not null, "parameters.location has no allowed list: any region would be accepted, including ones without Flex Consumption.");
        Assert.Equal(FlexConsumptionDotnet10Regions.Order().ToArray(), allowed);
    }

    [Fact]
    public void AzdPromptsForLocationAsARegion()
    {
        Assert.Equal("location", Location.Str("metadata.azd.type"));
    }

    [Fact]
    public void ParametersFileTakesTheRegionFromTheAzdEnvironment()
    {
        var text = File.ReadAllText(Repo.InInfra(Artifacts.ParametersFile));
        Assert.Contains("param location = readEnvironmentVariable('AZURE_LOCATION'", text, StringComparison.Ordinal);
        Assert.Contains(Artifacts.CompiledParameters.Str("parameters.location.value"), FlexConsumptionDotnet10Regions);
    }

    [Fact]
    public void EveryRegionalResourceIsDeployedInTheChosenRegion()
    {
        foreach (var build in new[] { Artifacts.Snapshot, Artifacts.PrivateSnapshot })
        {
            foreach (var resource in build.Resources.Where(r => r["location"] is not null))
            {
                var location = resource.Str("location");
                Assert.True(
                    location == Artifacts.Location || location == "global",
                    $"{resource.Str("type")} {resource.Str("name")} is in '{location}', not the deployment's region.");
            }
        }
    }
}
