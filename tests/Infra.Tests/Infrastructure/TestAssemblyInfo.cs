using System.Reflection;

namespace JwtFunctions.Infra.Tests.Infrastructure;

/// <summary>Values baked into the test assembly by Infra.Tests.csproj.</summary>
internal static class TestAssemblyInfo
{
    public static string Metadata(string key)
    {
        var value = typeof(TestAssemblyInfo).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == key)?.Value;
        return string.IsNullOrEmpty(value)
            ? throw new InvalidOperationException($"Assembly metadata '{key}' is missing; rebuild tests/Infra.Tests.")
            : value;
    }
}

/// <summary>Paths inside the repository.</summary>
public static class Repo
{
    public static string Root { get; } = TestAssemblyInfo.Metadata("RepositoryRoot");

    public static string Infra { get; } = Path.Combine(Root, "infra");

    public static string InInfra(string relativePath) => Path.Combine(Infra, relativePath);

    /// <summary>Every Bicep source (.bicep, .bicepparam) under infra/, relative to infra/, '/'-separated.</summary>
    public static IReadOnlyList<string> BicepSources { get; } = Directory
        .EnumerateFiles(Infra, "*.*", SearchOption.AllDirectories)
        .Where(f => f.EndsWith(".bicep", StringComparison.Ordinal) || f.EndsWith(".bicepparam", StringComparison.Ordinal))
        .Select(f => Path.GetRelativePath(Infra, f).Replace('\\', '/'))
        .Order(StringComparer.Ordinal)
        .ToArray();
}
