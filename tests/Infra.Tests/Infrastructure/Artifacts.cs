using System.Text.Json.Nodes;

namespace JwtFunctions.Infra.Tests.Infrastructure;

/// <summary>
/// What the Bicep CLI makes of infra/: the compiled template, the compiled parameters, and a
/// deployment snapshot generated afresh from the current sources. Each is produced once per test
/// run and shared by every test.
/// </summary>
public static class Artifacts
{
    // The fixed, fake deployment scope of the committed snapshot (infra/README.md shows the command).
    public const string SubscriptionId = "00000000-0000-0000-0000-000000000000";
    public const string TenantId = "00000000-0000-0000-0000-000000000000";
    public const string ResourceGroup = "rg-jwtfunctions";
    public const string Location = "westeurope";
    public const string DeploymentName = "jwtfunctions";

    /// <summary>azd environment name the snapshot is taken with (main.bicepparam's default).</summary>
    public const string EnvironmentName = "jwtfunctions";

    public const string ParametersFile = "main.bicepparam";
    public const string CommittedSnapshotFile = "main.snapshot.json";

    public static IReadOnlyList<string> SnapshotScopeArguments { get; } =
    [
        "--subscription-id", SubscriptionId,
        "--tenant-id", TenantId,
        "--resource-group", ResourceGroup,
        "--location", Location,
        "--deployment-name", DeploymentName,
    ];

    /// <summary>The command that regenerates the committed snapshot, for failure messages.</summary>
    public static string RegenerateCommand =>
        $"cd infra && bicep snapshot {ParametersFile} --mode overwrite {string.Join(' ', SnapshotScopeArguments)}";

    private static readonly Lazy<string> TemplateText = new(() => Succeed(BicepCli.Run(Repo.Infra, "build", "main.bicep", "--stdout")));

    private static readonly Lazy<JsonObject> BuiltParams = new(() =>
        JsonNode.Parse(Succeed(BicepCli.Run(Repo.Infra, "build-params", ParametersFile, "--stdout")))!.AsObject());

    /// <summary>
    /// The azd environment of the private build: VNET_ENABLED=true, read by main.bicepparam
    /// (what `azd env set VNET_ENABLED true` gives).
    /// </summary>
    public static IReadOnlyDictionary<string, string> PrivateEnvironment { get; } = new Dictionary<string, string> { ["VNET_ENABLED"] = "true" };

    /// <summary>A vault name salt as `azd env set AZURE_KEY_VAULT_NAME_SALT ...` sets it after `azd down --purge`.</summary>
    public static IReadOnlyDictionary<string, string> SaltedEnvironment { get; } = new Dictionary<string, string> { ["AZURE_KEY_VAULT_NAME_SALT"] = "redeploy-2026-12-01" };

    private static readonly Lazy<DeploymentSnapshot> FreshSnapshot = new(() => GenerateSnapshot(new Dictionary<string, string>()));
    private static readonly Lazy<DeploymentSnapshot> FreshPrivateSnapshot = new(() => GenerateSnapshot(PrivateEnvironment));
    private static readonly Lazy<DeploymentSnapshot> FreshSaltedSnapshot = new(() => GenerateSnapshot(SaltedEnvironment));

    /// <summary>`bicep build main.bicep` (ARM JSON with every module inlined).</summary>
    public static string CompiledTemplateText => TemplateText.Value;

    public static JsonObject CompiledTemplate => JsonNode.Parse(CompiledTemplateText)!.AsObject();

    /// <summary>The parameters JSON of `bicep build-params main.bicepparam` (what a deployment receives).</summary>
    public static string CompiledParametersText => BuiltParams.Value["parametersJson"]!.GetValue<string>();

    public static JsonObject CompiledParameters => JsonNode.Parse(CompiledParametersText)!.AsObject();

    /// <summary>A snapshot generated now from the sources (not the committed file), with main.bicepparam's defaults (vnetEnabled=false).</summary>
    public static DeploymentSnapshot Snapshot => FreshSnapshot.Value;

    /// <summary>The same, built with vnetEnabled=true (the private mode).</summary>
    public static DeploymentSnapshot PrivateSnapshot => FreshPrivateSnapshot.Value;

    /// <summary>The same, with a Key Vault name salt set (the redeploy after `azd down --purge`).</summary>
    public static DeploymentSnapshot SaltedSnapshot => FreshSaltedSnapshot.Value;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<DeploymentSnapshot>> Variants = new(StringComparer.Ordinal);

    /// <summary>A snapshot with one azd environment value set (as `azd env set NAME value`), generated once per run.</summary>
    public static DeploymentSnapshot SnapshotWith(string name, string value) =>
        Variants.GetOrAdd($"{name}={value}", _ => new Lazy<DeploymentSnapshot>(() => GenerateSnapshot(new Dictionary<string, string> { [name] = value }))).Value;

    /// <summary>
    /// The builds the checks judge: default (public), private, and the default with each
    /// asymmetric algorithm (its issuer is computed, the other settings are the same).
    /// </summary>
    public static IReadOnlyList<string> Builds { get; } = ["public", "private", "ES256", "RS256"];

    public static DeploymentSnapshot Build(string mode) => mode switch
    {
        "public" => Snapshot,
        "private" => PrivateSnapshot,
        "ES256" or "RS256" => SnapshotWith("JWT_SIGNING_ALGORITHM", mode),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, string.Join(", ", Builds)),
    };

    public static string CommittedSnapshotText => File.ReadAllText(Repo.InInfra(CommittedSnapshotFile));

    private static string Succeed(BicepResult result)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(result.Describe());
        }

        return result.StandardOutput;
    }

    /// <summary>
    /// Copies the sources to a scratch directory and snapshots them there, so the security tests
    /// judge the templates as they are now, whether or not the committed snapshot was regenerated.
    /// </summary>
    private static DeploymentSnapshot GenerateSnapshot(IReadOnlyDictionary<string, string> environment)
    {
        var scratch = Directory.CreateTempSubdirectory("jwtfunctions-infra-");
        try
        {
            foreach (var file in Directory.EnumerateFiles(Repo.Infra, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(Repo.Infra, file);
                if (relative == CommittedSnapshotFile || !(relative.EndsWith(".bicep", StringComparison.Ordinal)
                    || relative.EndsWith(".bicepparam", StringComparison.Ordinal) || relative.EndsWith(".json", StringComparison.Ordinal)))
                {
                    continue;
                }

                var target = Path.Combine(scratch.FullName, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }

            Succeed(BicepCli.Run(scratch.FullName, environment, ["snapshot", ParametersFile, "--mode", "overwrite", .. SnapshotScopeArguments]));
            return new DeploymentSnapshot(File.ReadAllText(Path.Combine(scratch.FullName, CommittedSnapshotFile)));
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}
