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
    [InlineData("AZURE_LOCATION")]
    [InlineData("AZURE_TENANT_ID")]
    public void TemplateReturnsWhatAzdAndTheHookNeed(string output)
    {
        Assert.NotNull(Artifacts.CompiledTemplate["outputs"]?[output]);
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
        Assert.Equal(["environmentName", "jwtAudience", "jwtIssuer", "registrationEnabled", "signingKeySecretName"], names);
        foreach (var (name, parameter) in Artifacts.CompiledParameters["parameters"]!.AsObject())
        {
            Assert.Null(parameter!["reference"]);
            Assert.True(parameter["value"] is not null, $"Parameter {name} has no plain value.");
        }
    }

    [GeneratedRegex("^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")]
    private static partial Regex UpperSnake();

    [GeneratedRegex(@"\blist[A-Za-z]*\(", RegexOptions.IgnoreCase)]
    private static partial Regex ListFunction();
}
