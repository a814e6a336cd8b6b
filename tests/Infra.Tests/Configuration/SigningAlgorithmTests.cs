using System.Text.Json.Nodes;
using JwtFunctions.Infra.Tests.Infrastructure;
using JwtFunctions.Tokens;

namespace JwtFunctions.Infra.Tests.Configuration;

/// <summary>
/// Parameter signingAlgorithm (azd env JWT_SIGNING_ALGORITHM) reaches the app as Jwt__Algorithm;
/// with ES256 / RS256 Jwt__Issuer is the app's public base URL, which the app's own validator
/// accepts, and the hook learns the algorithm from output JWT_SIGNING_ALGORITHM.
/// </summary>
public sealed class SigningAlgorithmTests
{
    /// <summary>What the app supports (JwtAlgorithms), spelled as Jwt__Algorithm wants it.</summary>
    private static readonly string[] Supported = ["HS256", "HS384", "HS512", "ES256", "RS256"];

    public static TheoryData<string> Algorithms => new(Supported);

    public static TheoryData<string> Asymmetric => new("ES256", "RS256");

    public static TheoryData<string> Hmac => new("HS256", "HS384", "HS512");

    private static DeploymentSnapshot With(string algorithm) => Artifacts.SnapshotWith("JWT_SIGNING_ALGORITHM", algorithm);

    [Fact]
    public void TheAllowedValuesAreExactlyWhatTheAppSupports()
    {
        var allowed = Artifacts.CompiledTemplate.Node("parameters.signingAlgorithm.allowedValues")!.AsArray().Select(v => v!.GetValue<string>()).ToArray();
        Assert.Equal(Supported.Order(StringComparer.Ordinal), allowed.Order(StringComparer.Ordinal));
        Assert.All(allowed, a => Assert.True(JwtAlgorithms.IsSupported(a), $"{a} is allowed by main.bicep but refused by the app."));
    }

    [Fact]
    public void TheDefaultIsTheAppDefault()
    {
        Assert.Equal(new JwtOptions().Algorithm, Artifacts.CompiledTemplate.Str("parameters.signingAlgorithm.defaultValue"));
        Assert.Equal(new JwtOptions().Algorithm, Artifacts.Snapshot.AppSettings["Jwt__Algorithm"]);
        Assert.Equal(new JwtOptions().Algorithm, Artifacts.Snapshot.Outputs.Str("JWT_SIGNING_ALGORITHM"));
    }

    [Fact]
    public void TheParametersFileReadsTheAlgorithmFromTheAzdEnvironment()
    {
        var file = File.ReadAllText(Repo.InInfra(Artifacts.ParametersFile));
        Assert.Contains("param signingAlgorithm = readEnvironmentVariable('JWT_SIGNING_ALGORITHM', 'HS256')", file, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void JwtAlgorithmIsTheParameterAndTheHookGetsItToo(string algorithm)
    {
        var snapshot = With(algorithm);
        Assert.Equal(algorithm, snapshot.AppSettings["Jwt__Algorithm"]);
        Assert.Equal(algorithm, snapshot.Outputs.Str("JWT_SIGNING_ALGORITHM"));
    }

    [Theory]
    [MemberData(nameof(Hmac))]
    public void WithAnHmacAlgorithmTheIssuerIsTheJwtIssuerParameterAsBefore(string algorithm)
    {
        var settings = With(algorithm).AppSettings;
        Assert.Equal("jwtfunctions", settings["Jwt__Issuer"]);
        Assert.Equal(new JwtOptions().Issuer, settings["Jwt__Issuer"]);
    }

    [Theory]
    [MemberData(nameof(Asymmetric))]
    public void WithEs256OrRs256TheIssuerIsTheAppsPublicBaseUrlWithTheRoutePrefix(string algorithm)
    {
        var snapshot = With(algorithm);
        var site = snapshot.FunctionApp.Str("name")!;
        var issuer = snapshot.AppSettings["Jwt__Issuer"];

        Assert.Equal($"https://{site}.azurewebsites.net/{RoutePrefix()}", issuer);
        Assert.Equal(issuer, snapshot.Outputs.Str("JWT_ISSUER"));
        Assert.True(JwtOptionsValidator.IsIssuerUrl(issuer), $"The app refuses Jwt:Issuer '{issuer}' with {algorithm}.");

        var options = new JwtOptions { Algorithm = snapshot.AppSettings["Jwt__Algorithm"], Issuer = issuer, Audience = snapshot.AppSettings["Jwt__Audience"] };
        var result = new JwtOptionsValidator().Validate(null, options);
        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("HS256", "00:00:00")]
    [InlineData("HS512", "00:00:00")]
    [InlineData("ES256", "00:15:00")]
    [InlineData("RS256", "00:15:00")]
    public void ANewKeyVersionSignsOnlyAfterVerifiersCanHaveFetchedItWithEs256OrRs256(string algorithm, string delay)
    {
        var value = With(algorithm).AppSettings["SigningKeys__ActivationDelay"];
        Assert.Equal(delay, value);

        // What the app binds and validates (0 to 1 day; at least the refresh interval with ES/RS).
        var options = new JwtFunctions.SigningKeys.SigningKeyOptions { ActivationDelay = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture), VaultUri = new Uri("https://kv.vault.azure.net/") };
        var result = new JwtFunctions.SigningKeys.SigningKeyOptionsValidator().Validate(null, options);
        Assert.True(result.Succeeded, result.FailureMessage);
        if (algorithm.StartsWith("HS", StringComparison.Ordinal))
        {
            Assert.Equal(new JwtFunctions.SigningKeys.SigningKeyOptions().ActivationDelay, options.ActivationDelay);
        }
        else
        {
            Assert.True(options.ActivationDelay >= options.RefreshInterval, "A new version must be published for at least one refresh interval before it signs.");
        }
    }

    [Fact]
    public void TheIssuerHostIsTheSitesDefaultHostName()
    {
        // The issuer is built as <name>.azurewebsites.net (main.bicep explains why). That is the
        // site's defaultHostName only while no unique default host name is asked for.
        foreach (var algorithm in new[] { "HS256", "ES256" })
        {
            var app = With(algorithm).FunctionApp;
            Assert.Null(app.Node("properties.autoGeneratedDomainNameLabelScope"));
        }

        Assert.DoesNotContain("autoGeneratedDomainNameLabelScope", File.ReadAllText(Repo.InInfra("modules/function-app.bicep")), StringComparison.Ordinal);
    }

    [Fact]
    public void TheIssuerDoesNotReadTheSiteFromItsOwnSettings()
    {
        // A reference to the site inside its own siteConfig.appSettings is circular; the snapshot
        // evaluates the issuer fully because it is built from the name.
        var issuer = With("RS256").AppSettings["Jwt__Issuer"];
        Assert.DoesNotContain("reference(", issuer, StringComparison.Ordinal);
        Assert.DoesNotContain("defaultHostName", issuer, StringComparison.Ordinal);
    }

    private static string RoutePrefix()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "host.json")), documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!;
        var prefix = host.Str("extensions.http.routePrefix");
        Assert.False(string.IsNullOrEmpty(prefix), "host.json sets no extensions.http.routePrefix.");
        return prefix!;
    }
}
