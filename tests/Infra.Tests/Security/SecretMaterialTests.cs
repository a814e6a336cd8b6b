using JwtFunctions.Infra.Tests.Infrastructure;

namespace JwtFunctions.Infra.Tests.Security;

public sealed class SecretMaterialTests
{
    [Fact]
    public void CompiledTemplateContainsNoSecretMaterial() => AssertClean("bicep build main.bicep", Artifacts.CompiledTemplateText);

    [Fact]
    public void CompiledParametersContainNoSecretMaterial() => AssertClean("bicep build-params main.bicepparam", Artifacts.CompiledParametersText);

    [Fact]
    public void SnapshotContainsNoSecretMaterial() => AssertClean("the generated snapshot", Artifacts.Snapshot.Text);

    [Fact]
    public void CommittedSnapshotContainsNoSecretMaterial() => AssertClean($"infra/{Artifacts.CommittedSnapshotFile}", Artifacts.CommittedSnapshotText);

    public static TheoryData<string> InfraFiles => new(
        Directory.EnumerateFiles(Repo.Infra, "*", SearchOption.AllDirectories)
            .Append(Path.Combine(Repo.Root, "azure.yaml"))
            .Select(f => Path.GetRelativePath(Repo.Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(InfraFiles))]
    public void InfrastructureFileContainsNoSecretMaterial(string file) => AssertClean(file, File.ReadAllText(Path.Combine(Repo.Root, file)));

    [Fact]
    public void ScannerRecognisesAGeneratedSigningKey()
    {
        // Guards the scanner itself: a key made the way the postprovision hook makes it is caught.
        var random = new Random(20240611);
        for (var i = 0; i < 500; i++)
        {
            var bytes = new byte[i % 2 == 0 ? 64 : 32];
            random.NextBytes(bytes);
            var key = Convert.ToBase64String(bytes);
            Assert.True(SecretScanner.Find($"{{\"value\": \"{key}\"}}") is not null, $"Missed key #{i}.");
        }

        Assert.NotNull(SecretScanner.Find("DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc;"));
    }

    private static void AssertClean(string what, string text)
    {
        var finding = SecretScanner.Find(text);
        Assert.True(finding is null, $"{what} contains {finding}");
    }
}
