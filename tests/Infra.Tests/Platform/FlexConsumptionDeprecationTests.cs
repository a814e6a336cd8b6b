using System.Text.Json.Nodes;
using JwtFunctions.Infra.Tests.Infrastructure;

namespace JwtFunctions.Infra.Tests.Platform;

/// <summary>
/// Microsoft.Web/sites properties and app settings that Flex Consumption does not support. Newer
/// regional stamps reject a site that sets one of the properties (ARM error 51021, "The following
/// site configuration property (Site.SiteConfig.…) for Flex Consumption sites is invalid"); older
/// stamps ignore them (a Microsoft moderator on Microsoft Q&amp;A 2277522, as quoted in
/// Azure/terraform-azurerm-avm-res-web-site issue #360, 2026-08-28). The app settings are ignored
/// or overwritten. The next deprecated property is one more row.
/// </summary>
public sealed class FlexConsumptionDeprecationTests
{
    // Where each row comes from (the third value of a row):
    //
    // Learn = "App settings reference for Azure Functions", section "Flex Consumption plan
    //   deprecations", https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations,
    //   read in the stored copy of articles/azure-functions/functions-app-settings.md at
    //   specialized806/azure-docs@de4b2a2 (a fork of MicrosoftDocs/azure-docs; page ms.date
    //   2025-12-22; the stored MicrosoftDocs/azure-docs copies are older and end before the
    //   section). Reasons are the table's, lightly shortened. The table names site properties
    //   loosely ("properties.alwaysOn"); the paths here are where ARM has them (siteConfig.*), and
    //   "properties.isReserved" is the .NET SDK name of ARM's properties.reserved.
    // Learn considerations = "Azure Functions Flex Consumption plan hosting", section
    //   "Considerations", https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#considerations,
    //   stored copy at alexravenna/azure-docs@00d5cfc (page ms.date 2026-03-18).
    // ARM 51021 = the property named in a verbatim ARM rejection: the five-property list quoted in
    //   avm-res-web-site issue #360 (FtpsState, Use32BitWorkerProcess, PreWarmedInstanceCount,
    //   NetFrameworkVersion, FunctionsRuntimeScaleMonitoringEnabled), LinuxFxVersion in
    //   avm-res-web-site #283/#345, FunctionAppScaleLimit in Azure/azure-functions-host #10643.
    // UNVERIFIED = in no Microsoft text found; kept because the Azure Verified Modules Terraform
    //   web-site module omits it for FC1 (tests/unit fc1_omits_rejected_site_config_properties,
    //   PR #345) and this template has no reason to set it either way.
    private const string Learn = "Learn";
    private const string LearnConsiderations = "Learn considerations";
    private const string Arm51021 = "ARM 51021";
    private const string Unverified = "UNVERIFIED (only the AVM Terraform module omits it for FC1)";

    public static TheoryData<string, string, string> DeprecatedSiteProperties => new()
    {
        { "properties.siteConfig.alwaysOn", "not valid", Learn },
        { "properties.containerSize", "renamed as functionAppConfig.scaleAndConcurrency.instanceMemoryMB", Learn },
        { "properties.siteConfig.ftpsState", "FTPS not supported", $"{Learn}; {Arm51021}" },
        { "properties.reserved", "not valid (Learn: properties.isReserved)", Learn },
        { "properties.isXenon", "not valid", Learn },
        { "properties.siteConfig.javaVersion", "replaced by version in functionAppConfig.runtime", Learn },
        { "properties.siteConfig.linuxFxVersion", "replaced by functionAppConfig.runtime", $"{Learn}; {Arm51021}" },
        { "properties.siteConfig.netFrameworkVersion", "replaced by version in functionAppConfig.runtime", $"{Learn}; {Arm51021}" },
        { "properties.siteConfig.powerShellVersion", "replaced by version in functionAppConfig.runtime", Learn },
        { "properties.siteConfig.functionAppScaleLimit", "renamed as functionAppConfig.scaleAndConcurrency.maximumInstanceCount", $"{Learn}; {Arm51021}" },
        { "properties.siteConfig.preWarmedInstanceCount", "renamed as always ready instances (functionAppConfig.scaleAndConcurrency.alwaysReady)", $"{Learn}; {Arm51021}" },
        { "properties.siteConfig.use32BitWorkerProcess", "32-bit not supported", $"{Learn}; {Arm51021}" },
        { "properties.vnetBackupRestoreEnabled", "not used for networking in Flex Consumption", Learn },
        { "properties.vnetContentShareEnabled", "not used for networking in Flex Consumption", Learn },
        { "properties.vnetImagePullEnabled", "not used for networking in Flex Consumption", Learn },
        { "properties.vnetRouteAllEnabled", "not used for networking in Flex Consumption", Learn },
        { "properties.siteConfig.vnetRouteAllEnabled", "not used for networking in Flex Consumption (the siteConfig place of the same setting)", Learn },
        { "properties.siteConfig.windowsFxVersion", "not valid", Learn },
        { "properties.siteConfig.functionsRuntimeScaleMonitoringEnabled", "scaling is done by the platform", Arm51021 },
        { "properties.siteConfig.javaContainer", "runtime comes from functionAppConfig.runtime", Unverified },
        { "properties.siteConfig.javaContainerVersion", "runtime comes from functionAppConfig.runtime", Unverified },
        { "properties.siteConfig.nodeVersion", "runtime comes from functionAppConfig.runtime", Unverified },
        { "properties.siteConfig.phpVersion", "not a Functions runtime", Unverified },
        { "properties.siteConfig.pythonVersion", "runtime comes from functionAppConfig.runtime", Unverified },
    };

    public static TheoryData<string, string, string> DeprecatedAppSettings => new()
    {
        { "ENABLE_ORYX_BUILD", "replaced by the remoteBuild parameter of a Flex Consumption deployment", Learn },
        { "FUNCTIONS_EXTENSION_VERSION", "set by the backend", Learn },
        { "FUNCTIONS_WORKER_RUNTIME", "replaced by name in functionAppConfig.runtime", Learn },
        { "FUNCTIONS_WORKER_RUNTIME_VERSION", "replaced by version in functionAppConfig.runtime", Learn },
        { "FUNCTIONS_MAX_HTTP_CONCURRENCY", "replaced by the triggers section of scaleAndConcurrency", Learn },
        { "FUNCTIONS_WORKER_PROCESS_COUNT", "not valid", Learn },
        { "FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED", "not valid", Learn },
        { "SCM_DO_BUILD_DURING_DEPLOYMENT", "replaced by the remoteBuild parameter of a Flex Consumption deployment", Learn },
        { "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "replaced by the deployment section of functionAppConfig", Learn },
        { "WEBSITE_CONTENTOVERVNET", "not used for networking in Flex Consumption", Learn },
        { "WEBSITE_CONTENTSHARE", "replaced by the deployment section of functionAppConfig", Learn },
        { "WEBSITE_DNS_SERVER", "DNS is inherited from the integrated virtual network", Learn },
        { "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT", "replaced by maximumInstanceCount in functionAppConfig.scaleAndConcurrency", Learn },
        { "WEBSITE_NODE_DEFAULT_VERSION", "replaced by version in functionAppConfig.runtime", Learn },
        { "WEBSITE_RUN_FROM_PACKAGE", "not used for deployments in Flex Consumption", Learn },
        { "WEBSITE_SKIP_CONTENTSHARE_VALIDATION", "no content share in Flex Consumption", Learn },
        { "WEBSITE_VNET_ROUTE_ALL", "not used for networking in Flex Consumption", Learn },
        { "WEBSITE_TIME_ZONE", "time zone settings are not supported on Flex Consumption", LearnConsiderations },
        { "TZ", "time zone settings are not supported on Flex Consumption", LearnConsiderations },
    };

    public static TheoryData<string, string, string, string> SitePropertiesInBothBuilds => Cross(DeprecatedSiteProperties);

    public static TheoryData<string, string, string, string> AppSettingsInBothBuilds => Cross(DeprecatedAppSettings);

    [Theory]
    [MemberData(nameof(DeprecatedSiteProperties))]
    public void CompiledTemplateSetsNoDeprecatedSiteProperty(string path, string reason, string source)
    {
        var sites = Artifacts.CompiledTemplate.Objects().Where(o => o.Str("type") == "Microsoft.Web/sites").ToList();
        Assert.NotEmpty(sites);
        foreach (var site in sites)
        {
            Assert.True(site.Node(path) is null, $"The compiled template sets {path} on {site.Str("name")}; Flex Consumption does not support it ({reason}; source: {source}).");
        }
    }

    [Theory]
    [MemberData(nameof(SitePropertiesInBothBuilds))]
    public void DeployedSiteHasNoDeprecatedProperty(string build, string path, string reason, string source)
    {
        var app = Artifacts.Build(build).FunctionApp;
        Assert.True(app.Node(path) is null, $"The {build} build sets {path}; Flex Consumption does not support it ({reason}; source: {source}).");
    }

    [Theory]
    [MemberData(nameof(AppSettingsInBothBuilds))]
    public void DeployedSiteHasNoDeprecatedAppSetting(string build, string setting, string reason, string source)
    {
        var settings = Artifacts.Build(build).AppSettings;
        Assert.False(
            settings.Keys.Any(k => string.Equals(k, setting, StringComparison.OrdinalIgnoreCase)),
            $"The {build} build sets app setting {setting}; Flex Consumption deprecates it ({reason}; source: {source}).");
    }

    [Fact]
    public void TheTableIsCheckedAgainstAFunctionAppThatExists()
    {
        // Guards the checks above from passing vacuously: the paths are looked up in a real site
        // whose siteConfig carries the properties Flex Consumption does support.
        var app = Artifacts.Snapshot.FunctionApp;
        Assert.NotNull(app.Node("properties.siteConfig.minTlsVersion"));
        Assert.NotNull(app.Node("properties.functionAppConfig.runtime"));
    }

    [Fact]
    public void EveryRowNamesWhereItComesFrom()
    {
        foreach (var row in DeprecatedSiteProperties.Concat(DeprecatedAppSettings))
        {
            var source = (string)row[2];
            Assert.True(
                source.StartsWith(Learn, StringComparison.Ordinal) || source.StartsWith(Arm51021, StringComparison.Ordinal) || source == Unverified,
                $"{row[0]}: unknown source '{source}'.");
        }
    }

    private static TheoryData<string, string, string, string> Cross(TheoryData<string, string, string> rows)
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var build in Artifacts.Builds)
        {
            foreach (var row in rows)
            {
                data.Add(build, (string)row[0], (string)row[1], (string)row[2]);
            }
        }

        return data;
    }
}
