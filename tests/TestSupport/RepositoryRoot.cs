using System.Reflection;

namespace JwtFunctions.TestSupport;

public static class RepositoryRoot
{
    /// <summary>The folder holding JwtFunctions.sln, found from the test binaries upwards.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "JwtFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        // Built with --artifacts-path outside the repository: use where it was built from.
        var built = typeof(RepositoryRoot).Assembly.GetCustomAttributes(typeof(AssemblyMetadataAttribute), false)
            .Cast<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        if (built is not null && File.Exists(System.IO.Path.Combine(built, "JwtFunctions.sln")))
        {
            return built;
        }

        throw new InvalidOperationException("JwtFunctions.sln not found above " + AppContext.BaseDirectory);
    }
}
