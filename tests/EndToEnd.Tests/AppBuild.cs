using System.Diagnostics;
using System.Reflection;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// The built app the tests run: src/Functions built once per test run into
/// <c>.artifacts/e2e</c> (git-ignored), so the tests never touch src/Functions/bin or obj.
/// Set <c>JWTFUNCTIONS_E2E_APP_DIR</c> to a folder that already holds a build (worker.config.json,
/// functions.metadata, JwtFunctions.dll) to skip the build.
/// </summary>
public static class AppBuild
{
    public const string AppDirectoryVariable = "JWTFUNCTIONS_E2E_APP_DIR";

    private static readonly Lazy<Task<string>> Build = new(BuildAsync);

    public static string RepositoryRoot { get; } = typeof(AppBuild).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;

    public static Task<string> GetAppDirectoryAsync() => Build.Value;

    private static async Task<string> BuildAsync()
    {
        if (Environment.GetEnvironmentVariable(AppDirectoryVariable) is { Length: > 0 } prebuilt)
        {
            if (!File.Exists(Path.Combine(prebuilt, "worker.config.json")))
            {
                throw new InvalidOperationException($"{AppDirectoryVariable}={prebuilt} holds no worker.config.json.");
            }

            return Path.GetFullPath(prebuilt);
        }

        return await BuildProjectAsync(Path.Combine("src", "Functions", "Functions.csproj"), "e2e");
    }

    /// <summary>
    /// Builds a Functions app project (Release) into <c>.artifacts/{artifactsName}</c> and returns
    /// its output folder (which holds worker.config.json).
    /// </summary>
    public static async Task<string> BuildProjectAsync(string project, string artifactsName)
    {
        var artifacts = Path.Combine(RepositoryRoot, ".artifacts", artifactsName);
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // --disable-build-servers: no MSBuild node or compiler server outlives the test run.
        foreach (var argument in new[]
                 {
                     "build", Path.Combine(RepositoryRoot, project),
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
            throw new TimeoutException($"Building {project} took more than 3 minutes.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Building {project} failed ({process.ExitCode}):{Environment.NewLine}{await stdout}{await stderr}");
        }

        var output = Path.Combine(artifacts, "bin", Path.GetFileNameWithoutExtension(project), "release");
        if (!File.Exists(Path.Combine(output, "worker.config.json")))
        {
            throw new InvalidOperationException($"The build succeeded but {output} holds no worker.config.json.");
        }

        return output;
    }
}
