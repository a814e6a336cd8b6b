using System.Text.RegularExpressions;
using JwtFunctions.Infra.Tests.Infrastructure;

namespace JwtFunctions.Infra.Tests.Configuration;

/// <summary>What infra/README.md names (variables, parameters, app settings, roles) exists in the templates.</summary>
public sealed partial class InfraReadmeTests
{
    private static string Readme => File.ReadAllText(Repo.InInfra("README.md"));

    private static string ParametersFile => File.ReadAllText(Repo.InInfra(Artifacts.ParametersFile));

    public static TheoryData<string> EnvironmentVariablesTheReadmeSets =>
        new(AzdEnvSet().Matches(Readme).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal));

    public static TheoryData<string, string> VariableTableRows =>
        Rows("### Parameters from the azd environment", cells => (Strip(cells[0]), Strip(cells[1])));

    public static TheoryData<string> AppSettingsTheReadmeNames =>
        new(SectionRows("App settings of the Function App")
            .SelectMany(cells => Ticked().Matches(cells[0]).Select(m => m.Groups[1].Value))
            .Where(n => !n.StartsWith("__", StringComparison.Ordinal))
            .Distinct());

    public static TheoryData<string> RolesTheReadmeNames =>
        new(SectionRows("Role assignments (all in").Select(cells => cells[1].Trim()).Distinct());

    [Theory]
    [MemberData(nameof(EnvironmentVariablesTheReadmeSets))]
    public void EveryVariableTheReadmeSetsIsReadByTheParametersFile(string variable)
    {
        Assert.Contains($"readEnvironmentVariable('{variable}'", ParametersFile, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(VariableTableRows))]
    public void VariableTableMatchesTheParametersFileAndTemplate(string variable, string parameter)
    {
        var line = ParametersFile.Split('\n').SkipWhile(l => !l.StartsWith($"param {parameter} =", StringComparison.Ordinal)).Take(3);
        Assert.Contains($"readEnvironmentVariable('{variable}'", string.Join('\n', line), StringComparison.Ordinal);
        Assert.NotNull(Artifacts.CompiledTemplate.Node($"parameters.{parameter}"));
    }

    [Theory]
    [MemberData(nameof(AppSettingsTheReadmeNames))]
    public void EveryAppSettingTheReadmeNamesIsDeployed(string setting)
    {
        Assert.Contains(setting, Artifacts.Snapshot.AppSettings.Keys);
    }

    [Theory]
    [MemberData(nameof(RolesTheReadmeNames))]
    public void EveryRoleTheReadmeNamesIsAssignedInRoleAssignmentsBicep(string role)
    {
        Assert.Contains($"// {role}", File.ReadAllText(Repo.InInfra("modules/role-assignments.bicep")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("persistent")]
    [InlineData("bootstrap")]
    [InlineData("none")]
    public void EveryDeployerVaultAccessModeTheReadmeDescribesIsAllowed(string mode)
    {
        Assert.Contains($"* `{mode}`", Readme, StringComparison.Ordinal);
        Assert.Contains(Artifacts.CompiledTemplate.Node("parameters.deployerVaultAccess.allowedValues")!.AsArray(), v => v!.GetValue<string>() == mode);
    }

    [Fact]
    public void ReadmeTestCommandRunsTheseChecks()
    {
        Assert.Contains("dotnet test tests/Infra.Tests/Infra.Tests.csproj", Readme, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Repo.Root, "tests", "Infra.Tests", "Infra.Tests.csproj")));
    }

    private static IEnumerable<string[]> SectionRows(string heading)
    {
        var lines = Readme.Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith(heading, StringComparison.Ordinal));
        Assert.True(start >= 0, $"infra/README.md has no '{heading}'.");
        return lines.Skip(start + 1)
            .SkipWhile(l => !l.StartsWith('|'))
            .TakeWhile(l => l.StartsWith('|'))
            .Skip(2)
            .Select(l => l.Trim().Trim('|').Split('|'))
            .ToList();
    }

    private static TheoryData<string, string> Rows(string heading, Func<string[], (string, string)> select)
    {
        var data = new TheoryData<string, string>();
        foreach (var (a, b) in SectionRows(heading).Select(select))
        {
            data.Add(a, b);
        }

        return data;
    }

    private static string Strip(string cell) => cell.Trim().Trim('`');

    [GeneratedRegex(@"azd env set ([A-Z][A-Z0-9]*_[A-Z0-9_]+)")]
    private static partial Regex AzdEnvSet();

    [GeneratedRegex("`([A-Za-z_][A-Za-z0-9_]*)`")]
    private static partial Regex Ticked();
}
