using System.Text.RegularExpressions;
using JwtFunctions.Infra.Tests.Infrastructure;

namespace JwtFunctions.Infra.Tests.Security;

public sealed partial class OutputsAndParametersTests
{
    [Theory]
    [InlineData("AZURE_FUNCTION_NAME")]
    [InlineData("AZURE_FUNCTION_URI")]
    [InlineData("AZURE_KEY_VAULT_URI")]
    [InlineData("AZURE_KEY_VAULT_NAME")]
    [InlineData("AZURE_SIGNING_KEY_SECRET_NAME")]
    [InlineData("AZURE_STORAGE_ACCOUNT_NAME")]
    [InlineData("AZURE_STORAGE_TABLE_ENDPOINT")]
    [InlineData("AZURE_DEPLOYER_TABLE_ROLE_ASSIGNMENT_ID")]
    [InlineData("AZURE_LOCATION")]
    [InlineData("AZURE_TENANT_ID")]
    [InlineData("AZURE_DEPLOYER_PRINCIPAL_ID")]
    [InlineData("AZURE_DEPLOYER_VAULT_ACCESS")]
    [InlineData("AZURE_DEPLOYER_VAULT_ROLE_ASSIGNMENT_ID")]
    [InlineData("AZURE_VNET_ENABLED")]
    [InlineData("JWT_SIGNING_ALGORITHM")]
    public void TemplateReturnsWhatAzdAndTheHookNeed(string output)
    {
        Assert.NotNull(Artifacts.CompiledTemplate["outputs"]?[output]);
    }

    public static TheoryData<string> HookScripts => new() { "hooks/postprovision.sh", "hooks/postprovision.ps1" };

    [Theory]
    [MemberData(nameof(HookScripts))]
    public void EveryAzureVariableTheHookReadsIsATemplateOutput(string hook)
    {
        var outputs = Artifacts.CompiledTemplate["outputs"]!.AsObject().Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        var read = HookVariable().Matches(File.ReadAllText(Repo.InInfra(hook))).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Contains("AZURE_KEY_VAULT_NAME", read);
        Assert.Contains("JWT_SIGNING_ALGORITHM", read);
        foreach (var name in read)
        {
            Assert.True(outputs.Contains(name), $"{hook} reads {name}, which main.bicep does not output (azd would leave it unset).");
        }
    }

    [Fact]
    public void TableEndpointOutputIsTheAccountsPrimaryTableEndpoint()
    {
        var storage = Artifacts.Snapshot.Single("Microsoft.Storage/storageAccounts").Str("id")!;
        var value = Artifacts.Snapshot.Outputs.Str("AZURE_STORAGE_TABLE_ENDPOINT") ?? string.Empty;
        Assert.StartsWith($"[reference('{storage}', ", value, StringComparison.Ordinal);
        Assert.EndsWith(").primaryEndpoints.table]", value, StringComparison.Ordinal);
    }

    public static TheoryData<string> Readmes => new() { "README.md", "infra/README.md" };

    [Theory]
    [MemberData(nameof(Readmes))]
    public void EveryOutputTheReadmesReadWithAzdIsATemplateOutput(string readme)
    {
        var outputs = Artifacts.CompiledTemplate["outputs"]!.AsObject().Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var name in AzdGetValue().Matches(File.ReadAllText(Path.Combine(Repo.Root, readme))).Select(m => m.Groups[1].Value).Distinct())
        {
            Assert.True(outputs.Contains(name), $"{readme} runs `azd env get-value {name}`, which main.bicep does not output.");
        }
    }

    [Fact]
    public void OutputNamesAreUpperSnakeCase()
    {
        foreach (var (name, _) in Artifacts.CompiledTemplate["outputs"]!.AsObject())
        {
            Assert.Matches(UpperSnake(), name);
        }
    }

    [Fact]
    public void NoOutputIsOrCarriesASecret()
    {
        foreach (var (name, output) in Artifacts.CompiledTemplate["outputs"]!.AsObject())
        {
            var type = output!.Str("type") ?? string.Empty;
            Assert.False(type.StartsWith("secure", StringComparison.OrdinalIgnoreCase), $"Output {name} is of type {type}.");
            var value = output!["value"]?.ToJsonString() ?? string.Empty;
            Assert.DoesNotMatch(ListFunction(), value);
            Assert.DoesNotContain("ConnectionString", value, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void EveryParameterIsDescribed()
    {
        foreach (var parameter in Artifacts.CompiledTemplate.Objects().Select(o => o["parameters"]).OfType<System.Text.Json.Nodes.JsonObject>())
        {
            foreach (var (name, definition) in parameter)
            {
                if (definition is System.Text.Json.Nodes.JsonObject declaration && declaration["type"] is not null)
                {
                    Assert.False(string.IsNullOrWhiteSpace(declaration.Str("metadata.description")), $"Parameter {name} has no @description.");
                }
            }
        }
    }

    [Fact]
    public void NoParameterIsASecret()
    {
        var secure = Artifacts.CompiledTemplate.Objects()
            .Where(o => (o.Str("type") ?? string.Empty).StartsWith("secure", StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.Empty(secure);
    }

    [Fact]
    public void CompiledParametersSetOnlyNonSecretValues()
    {
        var names = Artifacts.CompiledParameters["parameters"]!.AsObject().Select(p => p.Key).Order().ToArray();
        Assert.Equal(
            ["corsAllowedOrigins", "corsSupportCredentials", "deployerVaultAccess", "environmentName", "grantDeployerTableRole", "jwtAudience", "jwtIssuer", "keyVaultNameSalt", "location", "registrationEnabled", "signingAlgorithm", "signingKeySecretName", "vnetEnabled"],
            names);
        foreach (var (name, parameter) in Artifacts.CompiledParameters["parameters"]!.AsObject())
        {
            Assert.Null(parameter!["reference"]);
            Assert.True(parameter["value"] is not null, $"Parameter {name} has no plain value.");
        }
    }

    // $AZURE_X, ${AZURE_X...} (sh) and $env:AZURE_X (PowerShell); JWT_X likewise.
    [GeneratedRegex(@"\$(?:\{|env:)?((?:AZURE|JWT)_[A-Z0-9_]+)")]
    private static partial Regex HookVariable();

    [GeneratedRegex(@"azd env get-value ([A-Z][A-Z0-9_]*)")]
    private static partial Regex AzdGetValue();

    [GeneratedRegex("^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")]
    private static partial Regex UpperSnake();

    [GeneratedRegex(@"\blist[A-Za-z]*\(", RegexOptions.IgnoreCase)]
    private static partial Regex ListFunction();
}
