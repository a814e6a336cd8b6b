namespace JwtFunctions.EndToEnd.Tests.HostFidelity;

/// <summary>tests/FidelityApp built once per test run into <c>.artifacts/fidelity</c> (git-ignored), as <see cref="AppBuild"/> builds src/Functions.</summary>
public static class FidelityAppBuild
{
    private static readonly Lazy<Task<string>> Build = new(() => AppBuild.BuildProjectAsync(Path.Combine("tests", "FidelityApp", "FidelityApp.csproj"), "fidelity"));

    public static Task<string> GetAppDirectoryAsync() => Build.Value;
}
