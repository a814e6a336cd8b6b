using System.Text.Json.Nodes;
using JwtFunctions.Infra.Tests.Infrastructure;

namespace JwtFunctions.Infra.Tests.Checks;

/// <summary>The Bicep CLI's own checks: lint, format, build, build-params, snapshot.</summary>
public sealed class BicepToolingTests
{
    public static TheoryData<string> BicepSources => new(Repo.BicepSources);

    [Theory]
    [MemberData(nameof(BicepSources))]
    public void BicepFileHasNoDiagnosticsAtAll(string file)
    {
        // Type mistakes such as BCP036/BCP089/BCP035/BCP081 are warnings with exit code 0, so the
        // SARIF report must be empty, not merely the exit code zero.
        var findings = SourceChecks.LintFindings(file);
        Assert.True(findings.Count == 0, $"bicep lint reported for {file}:{Environment.NewLine}{string.Join(Environment.NewLine, findings)}");
    }

    [Theory]
    [MemberData(nameof(BicepSources))]
    public void BicepFileIsAlreadyFormatted(string file)
    {
        var committed = File.ReadAllText(Repo.InInfra(file));
        Assert.True(
            committed == SourceChecks.FormattedText(file),
            $"{file} is not formatted as `bicep format` (with infra/bicepconfig.json) would leave it. Run: cd infra && bicep format {file}");
    }

    [Fact]
    public void TemplateBuilds()
    {
        var template = Artifacts.CompiledTemplate;
        Assert.Equal("https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", template.Str("$schema"));
    }

    [Fact]
    public void ParametersFileBuilds()
    {
        var parameters = Artifacts.CompiledParameters;
        Assert.NotNull(parameters["parameters"]?["environmentName"]);
    }

    [Fact]
    public void SnapshotHasNoDiagnostics()
    {
        Assert.Empty(Artifacts.Snapshot.Diagnostics);
    }

    [Fact]
    public void CommittedSnapshotMatchesWhatTheTemplatesDeploy()
    {
        var result = BicepCli.Run(Repo.Infra, ["snapshot", Artifacts.ParametersFile, "--mode", "validate", .. Artifacts.SnapshotScopeArguments]);
        Assert.True(
            result.ExitCode == 0,
            $"infra/{Artifacts.CommittedSnapshotFile} no longer matches the templates. Review the change below; if it is intended, "
            + $"regenerate the snapshot with `{Artifacts.RegenerateCommand}` and commit it.{Environment.NewLine}{result.Describe()}");
    }

    [Fact]
    public void LinterTreatsEveryRuleAsAnErrorExceptRecentApiVersions()
    {
        var config = JsonNode.Parse(File.ReadAllText(Repo.InInfra("bicepconfig.json")))!;
        Assert.True(config.Bool("analyzers.core.enabled") ?? true, "The core linter must be enabled.");
        var rules = config.Node("analyzers.core.rules")!.AsObject();
        Assert.NotEmpty(rules);
        foreach (var (name, rule) in rules)
        {
            var expected = name == "use-recent-api-versions" ? "off" : "error";
            Assert.True(rule!.Str("level") == expected, $"Linter rule {name} is '{rule.Str("level")}', expected '{expected}'.");
        }
    }
}
