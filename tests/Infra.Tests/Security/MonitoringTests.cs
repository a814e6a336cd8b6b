using JwtFunctions.Infra.Tests.Infrastructure;

namespace JwtFunctions.Infra.Tests.Security;

public sealed class MonitoringTests
{
    [Fact]
    public void ApplicationInsightsRefusesInstrumentationKeyOnlyIngestion()
    {
        var component = Artifacts.Snapshot.Single("Microsoft.Insights/components");
        Assert.True(component.Bool("properties.DisableLocalAuth"), "Application Insights must have DisableLocalAuth = true.");
    }

    [Fact]
    public void ApplicationInsightsStoresItsDataInTheLogAnalyticsWorkspace()
    {
        var component = Artifacts.Snapshot.Single("Microsoft.Insights/components");
        var workspace = Artifacts.Snapshot.Single("Microsoft.OperationalInsights/workspaces");
        Assert.Equal(workspace.Str("id"), component.Str("properties.WorkspaceResourceId"));
    }

    [Fact]
    public void LogAnalyticsRefusesSharedKeyAccess()
    {
        var workspace = Artifacts.Snapshot.Single("Microsoft.OperationalInsights/workspaces");
        Assert.True(workspace.Bool("properties.features.disableLocalAuth"), "Log Analytics must have features.disableLocalAuth = true.");
    }
}
