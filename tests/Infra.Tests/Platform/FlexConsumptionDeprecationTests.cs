using System.Text.Json.Nodes;
using JwtFunctions.Infra.Tests.Infrastructure;

namespace JwtFunctions.Infra.Tests.Platform;

/// <summary>
/// Microsoft.Web/sites properties and app settings that Flex Consumption does not support. Newer
/// regional stamps reject a site that sets one of the properties (ARM error 51021, reported in
/// West Europe for siteConfig.ftpsState); the app settings are ignored or overwritten. The next
/// deprecated property is one more row.
/// </summary>
public sealed class FlexConsumptionDeprecationTests
{
    // Source: Learn, "App settings reference for Azure Functions", section "Flex Consumption plan
    // deprecations" (https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations),
    // as read on 2026-12-01 through secondary copies: the stored MicrosoftDocs/azure-docs copies
    // end before that section. Site properties: the rejection list pinned by the Azure Verified
    // Modules web-site module's FC1 unit test (fc1_omits_rejected_site_config_properties, issue
    // #283, "ARM rejects it with error 51021"); the reasons are the table's, paraphrased.
    public static TheoryData<string, string> DeprecatedSiteProperties => new()
    {
        { "properties.siteConfig.ftpsState", "FTPS is not supported (rejected with error 51021 on newer stamps)" },
        { "properties.siteConfig.alwaysOn", "not supported: instances come and go with scale (always ready instances instead)" },
        { "properties.siteConfig.use32BitWorkerProcess", "32-bit workers are not supported" },
        { "properties.siteConfig.linuxFxVersion", "replaced by properties.functionAppConfig.runtime" },
        { "properties.siteConfig.windowsFxVersion", "replaced by properties.functionAppConfig.runtime" },
        { "properties.siteConfig.netFrameworkVersion", "replaced by properties.functionAppConfig.runtime.version" },
        { "properties.siteConfig.javaVersion", "replaced by properties.functionAppConfig.runtime.version" },
        { "properties.siteConfig.javaContainer", "replaced by properties.functionAppConfig.runtime" },
        { "properties.siteConfig.javaContainerVersion", "replaced by properties.functionAppConfig.runtime" },
        { "properties.siteConfig.nodeVersion", "replaced by properties.functionAppConfig.runtime.version" },
        { "properties.siteConfig.phpVersion", "not a Functions runtime" },
        { "properties.siteConfig.pythonVersion", "replaced by properties.functionAppConfig.runtime.version" },
        { "properties.siteConfig.powerShellVersion", "replaced by properties.functionAppConfig.runtime.version" },
        { "properties.siteConfig.functionAppScaleLimit", "renamed: properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount" },
        { "properties.siteConfig.preWarmedInstanceCount", "renamed: properties.functionAppConfig.scaleAndConcurrency.alwaysReady" },
        { "properties.siteConfig.functionsRuntimeScaleMonitoringEnabled", "not supported: scaling is per function, by the platform" },
        { "properties.containerSize", "renamed: properties.functionAppConfig.scaleAndConcurrency.instanceMemoryMB" },
    };

    // Same Learn section, application settings part. FUNCTIONS_EXTENSION_VERSION: "App Setting is
    // set by the backend"; WEBSITE_TIME_ZONE and TZ: Learn flex-consumption-plan.md, Considerations
    // (stored copy, 2026).
    public static TheoryData<string, string> DeprecatedAppSettings => new()
    {
        { "FUNCTIONS_EXTENSION_VERSION", "set by the backend" },
        { "FUNCTIONS_WORKER_RUNTIME", "replaced by properties.functionAppConfig.runtime.name" },
        { "FUNCTIONS_WORKER_RUNTIME_VERSION", "replaced by properties.functionAppConfig.runtime.version" },
        { "FUNCTIONS_MAX_HTTP_CONCURRENCY", "replaced by scaleAndConcurrency.triggers.http.perInstanceConcurrency" },
        { "FUNCTIONS_WORKER_PROCESS_COUNT", "not valid on Flex Consumption" },
        { "WEBSITE_RUN_FROM_PACKAGE", "deployments come from functionAppConfig.deployment" },
        { "WEBSITE_CONTENTSHARE", "replaced by functionAppConfig.deployment" },
        { "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "replaced by functionAppConfig.deployment" },
        { "WEBSITE_CONTENTOVERVNET", "not used for networking on Flex Consumption" },
        { "WEBSITE_SKIP_CONTENTSHARE_VALIDATION", "no content share on Flex Consumption" },
        { "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT", "replaced by maximumInstanceCount" },
        { "WEBSITE_NODE_DEFAULT_VERSION", "replaced by properties.functionAppConfig.runtime.version" },
        { "WEBSITE_VNET_ROUTE_ALL", "not used for networking on Flex Consumption" },
        { "WEBSITE_DNS_SERVER", "DNS comes from the integrated virtual network" },
        { "SCM_DO_BUILD_DURING_DEPLOYMENT", "replaced by the remote build option of the deployment" },
        { "ENABLE_ORYX_BUILD", "replaced by the remote build option of the deployment" },
        { "WEBSITE_TIME_ZONE", "not supported on Flex Consumption" },
        { "TZ", "not supported on Flex Consumption" },
    };

    public static TheoryData<string, string, string> SitePropertiesInBothBuilds => Cross(DeprecatedSiteProperties);

    public static TheoryData<string, string, string> AppSettingsInBothBuilds => Cross(DeprecatedAppSettings);

    [Theory]
    [MemberData(nameof(DeprecatedSiteProperties))]
    public void CompiledTemplateSetsNoDeprecatedSiteProperty(string path, string reason)
    {
        var sites = Artifacts.CompiledTemplate.Objects().Where(o => o.Str("type") == "Microsoft.Web/sites").ToList();
        Assert.NotEmpty(sites);
        foreach (var site in sites)
        {
            Assert.True(site.Node(path) is null, $"The compiled template sets {path} on {site.Str("name")}; Flex Consumption does not support it ({reason}).");
        }
    }

    [Theory]
    [MemberData(nameof(SitePropertiesInBothBuilds))]
    public void DeployedSiteHasNoDeprecatedProperty(string build, string path, string reason)
    {
        var app = Artifacts.Build(build).FunctionApp;
        Assert.True(app.Node(path) is null, $"The {build} build sets {path}; Flex Consumption does not support it ({reason}).");
    }

    [Theory]
    [MemberData(nameof(AppSettingsInBothBuilds))]
    public void DeployedSiteHasNoDeprecatedAppSetting(string build, string setting, string reason)
    {
        var settings = Artifacts.Build(build).AppSettings;
        Assert.False(
            settings.Keys.Any(k => string.Equals(k, setting, StringComparison.OrdinalIgnoreCase)),
            $"The {build} build sets app setting {setting}; Flex Consumption deprecates it ({reason}).");
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

    private static TheoryData<string, string, string> Cross(TheoryData<string, string> rows)
    {
        var data = new TheoryData<string, string, string>();
        foreach (var build in new[] { "public", "private" })
        {
            foreach (var row in rows)
            {
                data.Add(build, (string)row[0], (string)row[1]);
            }
        }

        return data;
    }
}
