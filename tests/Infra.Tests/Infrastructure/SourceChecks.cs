using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JwtFunctions.Infra.Tests.Infrastructure;

/// <summary>
/// `bicep lint` and `bicep format` over every source under infra/, each run once for all files
/// (one CLI start instead of one per file) and shared by the per-file tests.
/// </summary>
public static class SourceChecks
{
    private const string AllSources = "**/*.bicep*";

    private static readonly Lazy<(BicepResult Run, Dictionary<string, List<string>> Findings)> Lint = new(RunLint);
    private static readonly Lazy<Dictionary<string, string>> Formatted = new(RunFormat);

    /// <summary>Diagnostics (any level) reported for a file, relative to infra/.</summary>
    public static IReadOnlyList<string> LintFindings(string file)
    {
        var (run, findings) = Lint.Value;
        if (findings.Count == 0 && run.ExitCode != 0)
        {
            throw new InvalidOperationException(run.Describe());
        }

        return findings.TryGetValue(file, out var list) ? list : [];
    }

    /// <summary>The file as `bicep format` (with infra/bicepconfig.json) writes it.</summary>
    public static string FormattedText(string file) =>
        Formatted.Value.TryGetValue(file, out var text) ? text : throw new InvalidOperationException($"bicep format did not process {file}.");

    private static (BicepResult, Dictionary<string, List<string>>) RunLint()
    {
        var run = BicepCli.Run(Repo.Infra, "lint", "--pattern", AllSources, "--diagnostics-format", "sarif");
        var findings = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);

        // One SARIF document per linted file, concatenated.
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(run.StandardOutput), new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            var sarif = JsonNode.Parse(ref reader)!;
            foreach (var result in sarif["runs"]!.AsArray().SelectMany(r => r!["results"]?.AsArray() ?? []))
            {
                var location = result!["locations"]?[0]?.Node("physicalLocation");
                var uri = location.Str("artifactLocation.uri") ?? string.Empty;
                var path = Uri.TryCreate(uri, UriKind.Absolute, out var parsed) ? parsed.LocalPath : uri;
                var file = Path.GetRelativePath(Repo.Infra, path).Replace('\\', '/');
                var text = $"{result.Str("level")} {result.Str("ruleId")} at line {location.Node("region.startLine")}: {result.Str("message.text")}";
                if (!findings.TryGetValue(file, out var set))
                {
                    findings[file] = set = [];
                }

                set.Add(text);
            }
        }

        return (run, findings.ToDictionary(kv => kv.Key, kv => kv.Value.Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal));
    }

    private static Dictionary<string, string> RunFormat()
    {
        // Formats copies in place (format cannot combine --pattern with --outdir).
        var scratch = Directory.CreateTempSubdirectory("jwtfunctions-format-");
        try
        {
            File.Copy(Repo.InInfra("bicepconfig.json"), Path.Combine(scratch.FullName, "bicepconfig.json"));
            foreach (var file in Repo.BicepSources)
            {
                var target = Path.Combine(scratch.FullName, file);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(Repo.InInfra(file), target);
            }

            var run = BicepCli.Run(scratch.FullName, "format", "--pattern", AllSources);
            if (run.ExitCode != 0)
            {
                throw new InvalidOperationException(run.Describe());
            }

            return Repo.BicepSources.ToDictionary(f => f, f => File.ReadAllText(Path.Combine(scratch.FullName, f)), StringComparer.Ordinal);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}
