using System.Diagnostics;
using System.Text.RegularExpressions;

namespace JwtFunctions.Infra.Tests.Infrastructure;

/// <summary>What one run of the Bicep CLI printed and returned.</summary>
public sealed record BicepResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Both streams, without terminal colour codes, for failure messages.</summary>
    public string Describe() =>
        $"`{CommandLine}` exited with {ExitCode}.{Environment.NewLine}"
        + $"stdout:{Environment.NewLine}{BicepCli.StripAnsi(StandardOutput)}{Environment.NewLine}"
        + $"stderr:{Environment.NewLine}{BicepCli.StripAnsi(StandardError)}";
}

/// <summary>
/// The real Bicep CLI from the Azure.Bicep.CommandLine.linux-x64 NuGet package (version pinned in
/// Directory.Packages.props), found through the path Infra.Tests.csproj records at build time.
/// </summary>
public static partial class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly Lazy<string> Executable = new(Locate);

    public static string Path => Executable.Value;

    /// <summary>Environment variables main.bicepparam reads besides AZURE_*; a caller's shell must not set them for the checks.</summary>
    public static IReadOnlyList<string> ParameterVariables { get; } = ["VNET_ENABLED", "DEPLOYER_VAULT_ACCESS", "CORS_ALLOWED_ORIGINS", "CORS_SUPPORT_CREDENTIALS", "JWT_SIGNING_ALGORITHM", "DEPLOYER_TABLE_ROLE"];

    public static BicepResult Run(string workingDirectory, params string[] arguments) =>
        Run(workingDirectory, new Dictionary<string, string>(), arguments);

    /// <summary>Runs the CLI with these environment variables set (after clearing the caller's AZURE_* and parameter variables).</summary>
    public static BicepResult Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // main.bicepparam reads AZURE_ENV_NAME etc. with readEnvironmentVariable(); an azd
        // environment in the caller's shell must not change what the checks see.
        foreach (var name in start.Environment.Keys
            .Where(k => k.StartsWith("AZURE_", StringComparison.OrdinalIgnoreCase) || ParameterVariables.Contains(k, StringComparer.OrdinalIgnoreCase))
            .ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["NO_COLOR"] = "1";

        var commandLine = "bicep " + string.Join(' ', arguments);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {commandLine}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{commandLine}` did not finish within {Timeout.TotalSeconds} s.");
        }

        process.WaitForExit();
        return new BicepResult(commandLine, process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    public static string StripAnsi(string text) => AnsiEscape().Replace(text, string.Empty);

    private static string Locate()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The infrastructure checks use the linux-x64 Bicep CLI package; run them on Linux (as CI does).");
        }

        var path = TestAssemblyInfo.Metadata("BicepExecutable");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The Bicep CLI is not at '{path}'. `dotnet restore tests/Infra.Tests` fetches the Azure.Bicep.CommandLine.linux-x64 package.", path);
        }

        // NuGet extracts the binary without its execute bit.
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | execute);
        }

        return path;
    }

    [GeneratedRegex(@"\x1B\[[0-9;]*[A-Za-z]")]
    private static partial Regex AnsiEscape();
}
