using JwtFunctions.Infra.Tests.Infrastructure;

namespace JwtFunctions.Infra.Tests.Security;

public sealed class TagTests
{
    [Fact]
    public void EveryTopLevelResourceCarriesTheAzdEnvironmentTag()
    {
        // Tracked resources are the ones with a location; child and extension resources
        // (containers, role assignments, diagnostic settings, ...) take no tags.
        var tracked = Artifacts.Snapshot.Resources.Where(r => r["location"] is not null).ToList();
        Assert.True(tracked.Count >= 7, $"Expected the identity, workspace, component, storage, vault, plan and app; found {tracked.Count} resources with a location.");
        foreach (var resource in tracked)
        {
            Assert.True(
                resource.Str("tags.azd-env-name") == Artifacts.EnvironmentName,
                $"{resource.Str("type")} {resource.Str("name")} lacks the tag azd-env-name={Artifacts.EnvironmentName}.");
        }
    }

    [Fact]
    public void FunctionAppIsTaggedAsTheAzdApiService()
    {
        Assert.Equal("api", Artifacts.Snapshot.FunctionApp.Str("tags.azd-service-name"));
        var services = Artifacts.Snapshot.Resources.Where(r => r.Str("tags.azd-service-name") is not null).ToList();
        Assert.Single(services);
    }

    [Fact]
    public void EveryResourceDeclarationInTheSourcesSetsTags()
    {
        // Catches a new resource added without tags before it reaches a deployment.
        foreach (var resource in Artifacts.CompiledTemplate.Objects().Where(o => o["location"] is not null && o["type"] is not null))
        {
            Assert.True(resource["tags"] is not null, $"{resource.Str("type")} in the compiled template has a location but no tags.");
        }
    }
}
