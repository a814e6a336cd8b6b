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

        throw new InvalidOperationException("JwtFunctions.sln not found above " + AppContext.BaseDirectory);
    }
}
