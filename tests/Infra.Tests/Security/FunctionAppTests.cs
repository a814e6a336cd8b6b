using JwtFunctions.Infra.Tests.Infrastructure;

namespace JwtFunctions.Infra.Tests.Security;

public sealed class FunctionAppTests
{
    private static System.Text.Json.Nodes.JsonObject App => Artifacts.Snapshot.FunctionApp;

    private static string IdentityId => Artifacts.Snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities").Str("id")!;

    [Fact]
    public void FunctionAppRunsOnTheFlexConsumptionPlan()
    {
        var plan = Artifacts.Snapshot.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", plan.Str("sku.name"));
        Assert.Equal("FlexConsumption", plan.Str("sku.tier"));
        Assert.True(plan.Bool("properties.reserved"), "The plan must be Linux (properties.reserved = true).");
        Assert.Equal(plan.Str("id"), App.Str("properties.serverFarmId"));
        Assert.Equal("functionapp,linux", App.Str("kind"));
    }

    [Fact]
    public void FunctionAppRunsDotnetIsolatedOnDotnet10()
    {
        Assert.Equal("dotnet-isolated", App.Str("properties.functionAppConfig.runtime.name"));
        Assert.Equal("10.0", App.Str("properties.functionAppConfig.runtime.version"));
    }

    [Fact]
    public void FunctionAppAcceptsHttpsOnly()
    {
        Assert.True(App.Bool("properties.httpsOnly"), "properties.httpsOnly must be true.");
    }

    [Theory]
    [InlineData("minTlsVersion")]
    [InlineData("scmMinTlsVersion")]
    public void FunctionAppRequiresTls12(string property)
    {
        Assert.Equal("1.2", App.Str($"properties.siteConfig.{property}"));
    }

    // FTP is closed by the ftp publishing-credentials policy below. siteConfig.ftpsState used to
    // be required here; Flex Consumption rejects it (Platform/FlexConsumptionDeprecationTests).

    [Fact]
    public void CorsAllowsNoBrowserOriginByDefault()
    {
        var cors = App.Node("properties.siteConfig.cors");
        Assert.True(cors is not null, "siteConfig.cors must be set explicitly (an empty list: no cross-origin browser calls).");
        Assert.Empty(cors.Node("allowedOrigins")!.AsArray());
        Assert.False(cors.Bool("supportCredentials") ?? true, "Credentials must not be allowed while no origin is listed.");
        Assert.Empty(Artifacts.CompiledTemplate.Node("parameters.corsAllowedOrigins.defaultValue")!.AsArray());
    }

    [Fact]
    public void CorsOriginsComeFromTheParameterAndCredentialsOnlyWhenAskedForWithAnOrigin()
    {
        var cors = Artifacts.CompiledTemplate.Objects().Single(o => o.Str("type") == "Microsoft.Web/sites").Node("properties.siteConfig.cors")!;
        Assert.Equal("[parameters('corsAllowedOrigins')]", cors.Str("allowedOrigins"));
        Assert.Equal("[and(parameters('corsSupportCredentials'), not(empty(parameters('corsAllowedOrigins'))))]", cors.Str("supportCredentials"));
        Assert.False(Artifacts.CompiledTemplate.Node("parameters.corsSupportCredentials.defaultValue")!.GetValue<bool>(),
            "Credentials are opt-in (cookie mode): Authorization-header clients need none.");
    }

    [Theory]
    [InlineData("parameters.maximumInstanceCount")]
    public void MaximumInstanceCountHasTheBoundsFlexConsumptionAllows(string parameter)
    {
        // 1-1000: Learn, "Azure Functions Flex Consumption plan hosting", Considerations: "The
        // lowest maximum scale is currently `1`. The highest currently supported value is `1000`"
        // (stored copy of flex-consumption-plan.md at alexravenna/azure-docs@00d5cfc, page ms.date
        // 2026-03-18). Earlier copies said 40 (specialized806/azure-docs@9666f6d, ms.date
        // 2025-05-12; the Consumption-to-Flex migration guide: "40 or higher"); values below 40
        // were opened region by region as a preview from 2026-01 (Microsoft in
        // Azure/azure-functions-host#10523, 2026-01-05: West Europe, Australia East, West US 2
        // first), and MicrosoftDocs/azure-docs PR #128255 (2026-02-26) asking to put 40 back was
        // closed with the page still saying 1. A value under 40 may therefore still be refused in
        // a region the rollout has not reached; the default (100) is accepted everywhere.
        var declaration = Artifacts.CompiledTemplate.Node(parameter)!;
        Assert.Equal(1, declaration.Int("minValue"));
        Assert.Equal(1000, declaration.Int("maxValue"));
        var module = Artifacts.CompiledTemplate.Objects()
            .Where(o => o.Node("maximumInstanceCount.type") is not null)
            .Select(o => o["maximumInstanceCount"]!)
            .ToList();
        Assert.All(module, m => Assert.Equal(1, m.Int("minValue")));
        Assert.Equal(100, App.Int("properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount"));
    }

    [Fact]
    public void HttpPerInstanceConcurrencyIsSet()
    {
        Assert.Equal(16, App.Int("properties.functionAppConfig.scaleAndConcurrency.triggers.http.perInstanceConcurrency"));
    }

    [Theory]
    [InlineData("ftp")]
    [InlineData("scm")]
    public void BasicPublishingCredentialsAreDisabled(string policy)
    {
        var appName = App.Str("name")!;
        var match = Artifacts.Snapshot.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies")
            .SingleOrDefault(p => p.Str("name") == $"{appName}/{policy}");
        Assert.True(match is not null, $"No basicPublishingCredentialsPolicies/{policy} for {appName}.");
        Assert.True(match.Bool("properties.allow") == false, $"basicPublishingCredentialsPolicies/{policy} must have allow = false.");
    }

    [Fact]
    public void FunctionAppRunsAsItsUserAssignedIdentityOnly()
    {
        Assert.Equal("UserAssigned", App.Str("identity.type"));
        var identities = App.Node("identity.userAssignedIdentities")!.AsObject();
        var (id, _) = Assert.Single(identities);
        Assert.Equal(IdentityId, id, ignoreCase: true);
    }

    [Fact]
    public void DeploymentPackageIsReadWithTheUserAssignedIdentity()
    {
        Assert.Equal("blobContainer", App.Str("properties.functionAppConfig.deployment.storage.type"));
        Assert.Equal("UserAssignedIdentity", App.Str("properties.functionAppConfig.deployment.storage.authentication.type"));
        Assert.Equal(IdentityId, App.Str("properties.functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId"), ignoreCase: true);
        Assert.Null(App.Node("properties.functionAppConfig.deployment.storage.authentication.storageAccountConnectionStringName"));
    }

    [Fact]
    public void FunctionAppSendsItsLogsToLogAnalytics()
    {
        var appId = App.Str("id")!;
        var setting = Assert.Single(
            Artifacts.Snapshot.OfType("Microsoft.Insights/diagnosticSettings"),
            d => d.Str("id")!.StartsWith(appId + "/providers/", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(Artifacts.Snapshot.Single("Microsoft.OperationalInsights/workspaces").Str("id"), setting.Str("properties.workspaceId"));
        Assert.Contains(setting.Node("properties.logs")!.AsArray(), l => l!.Bool("enabled") == true);
    }
}
