using System.Diagnostics;

namespace JwtFunctions.EndToEnd.Tests.HostFidelity;

/// <summary>
/// tests/FidelityApp built once per test run into <c>.artifacts/fidelity</c> (git-ignored), the
/// way <see cref="AppBuild"/> builds src/Functions.
/// </summary>
public static class FidelityAppBuild
{
    private static readonly Lazy<Task<string>> Build = new(BuildAsync);

    public static Task<string> GetAppDirectoryAsync() => Build.Value;

    private static async Task<string> BuildAsync()
    {
        var root = AppBuild.RepositoryRoot;
        var artifacts = Path.Combine(root, ".artifacts", "fidelity");
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "build", Path.Combine(root, "tests", "FidelityApp", "FidelityApp.csproj"),
                     "-c", "Release", "--artifacts-path", artifacts, "--disable-build-servers", "-nologo", "-v:q",
                 })
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Variables that `dotnet test` sets for its own MSBuild would steer the nested build.
        foreach (var key in startInfo.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k == "DOTNET_HOST_PATH").ToList())
        {
            startInfo.Environment.Remove(key);
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("Building tests/FidelityApp took more than 3 minutes.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Building tests/FidelityApp failed ({process.ExitCode}):{Environment.NewLine}{await stdout}{await stderr}");
        }

        var output = Path.Combine(artifacts, "bin", "FidelityApp", "release");
        if (!File.Exists(Path.Combine(output, "worker.config.json")))
        {
            throw new InvalidOperationException($"The build succeeded but {output} holds no worker.config.json.");
        }

        return output;
    }
}
