using JwtFunctions.Infra.Tests.Infrastructure;

namespace JwtFunctions.Infra.Tests.Configuration;

/// <summary>azure.yaml: what `azd up` provisions, deploys and runs.</summary>
public sealed class AzdProjectTests
{
    private static string[] Lines => File.ReadAllLines(Path.Combine(Repo.Root, "azure.yaml")).Select(l => l.Trim()).ToArray();

    [Theory]
    [InlineData("api:")]
    [InlineData("project: ./src/Functions")]
    [InlineData("language: dotnet")]
    [InlineData("host: function")]
    public void AzdDeploysTheFunctionsProjectAsServiceApi(string line)
    {
        Assert.Contains(line, Lines);
        Assert.True(File.Exists(Path.Combine(Repo.Root, "src", "Functions", "Functions.csproj")));
    }

    [Theory]
    [InlineData("run: ./infra/hooks/postprovision.sh")]
    [InlineData("run: ./infra/hooks/postprovision.ps1")]
    public void AzdCreatesTheSigningKeyAfterProvisioning(string line)
    {
        Assert.Contains("postprovision:", Lines);
        Assert.Contains(line, Lines);
        Assert.True(File.Exists(Path.Combine(Repo.Root, line["run: ./".Length..])), $"{line} points at a missing script.");
    }

    [Fact]
    public void FunctionAppServiceTagMatchesTheAzdServiceName()
    {
        Assert.Equal("api", Artifacts.Snapshot.FunctionApp.Str("tags.azd-service-name"));
        Assert.Contains("api:", Lines);
    }

    [Fact]
    public void AzureYamlStatesTheMinimumAzdVersion()
    {
        // The templates use optional module names and deployer() (Bicep >= 0.34, shipped with the
        // azd releases of 2025) and read the azd environment from main.bicepparam.
        var line = Assert.Single(Lines, l => l.StartsWith("azd:", StringComparison.Ordinal));
        Assert.Contains("requiredVersions:", Lines);
        Assert.Matches(@"^azd: ['""]?>= ?1\.(1[8-9]|[2-9][0-9])\.\d+['""]?$", line);
    }
}
