using System.Diagnostics;
using JwtFunctions.Infra.Tests.Infrastructure;

namespace JwtFunctions.Infra.Tests.Hooks;

/// <summary>
/// Runs infra/hooks/postprovision.sh against a stand-in `az` that records its arguments and keeps
/// the uploaded value in a file, so the hook's behaviour is checked without Azure.
/// </summary>
public sealed class PostprovisionHookTests : IDisposable
{
    private const string FakeAz = """
        #!/bin/sh
        # Stand-in for the Azure CLI: records each call's arguments, emulates one Key Vault secret.
        dir=$(dirname "$0")
        printf '%s\n' "$*" >>"$dir/calls.log"
        case "$3" in
          list-versions)
            forbid=$(cat "$dir/forbid" 2>/dev/null || echo 0)
            if [ "$forbid" -gt 0 ]; then
              echo $((forbid - 1)) >"$dir/forbid"
              echo "ERROR: (Forbidden) Caller is not authorized to perform action on resource." >&2
              exit 1
            fi
            if [ -f "$dir/secret" ]; then echo 1; exit 0; fi
            echo "ERROR: (SecretNotFound) A secret with (name/id) x was not found in this key vault." >&2
            exit 1 ;;
          set)
            while [ $# -gt 0 ]; do
              if [ "$1" = "--file" ]; then cp "$2" "$dir/secret"; fi
              shift
            done ;;
          *) echo "unexpected az call: $*" >&2; exit 2 ;;
        esac
        """;

    private readonly DirectoryInfo _bin = Directory.CreateTempSubdirectory("jwtfunctions-hook-");

    public PostprovisionHookTests()
    {
        var az = Path.Combine(_bin.FullName, "az");
        File.WriteAllText(az, FakeAz.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(az, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private string StoredSecret => Path.Combine(_bin.FullName, "secret");

    private string Calls => File.Exists(Path.Combine(_bin.FullName, "calls.log")) ? File.ReadAllText(Path.Combine(_bin.FullName, "calls.log")) : string.Empty;

    [Fact]
    public void HookCreatesAKeyOf64RandomBytesWhenTheSecretIsMissing()
    {
        var (exitCode, output) = RunHook();

        Assert.True(exitCode == 0, output);
        var key = Convert.FromBase64String(File.ReadAllText(StoredSecret));
        Assert.Equal(64, key.Length);
        Assert.Contains("--vault-name kv-test --name jwt-signing-key", Calls, StringComparison.Ordinal);
    }

    [Fact]
    public void HookMakesADifferentKeyEachTime()
    {
        Assert.Equal(0, RunHook().ExitCode);
        var first = File.ReadAllText(StoredSecret);
        File.Delete(StoredSecret);
        Assert.Equal(0, RunHook().ExitCode);
        Assert.NotEqual(first, File.ReadAllText(StoredSecret));
    }

    [Fact]
    public void HookLeavesAnExistingSecretUnchangedSoIssuedTokensStayValid()
    {
        File.WriteAllText(StoredSecret, "existing");

        var (exitCode, output) = RunHook();

        Assert.True(exitCode == 0, output);
        Assert.Equal("existing", File.ReadAllText(StoredSecret));
        Assert.DoesNotContain("secret set", Calls, StringComparison.Ordinal);
    }

    [Fact]
    public void HookNeverPrintsTheKeyNorPassesItOnACommandLine()
    {
        var (exitCode, output) = RunHook();

        Assert.Equal(0, exitCode);
        var key = File.ReadAllText(StoredSecret);
        Assert.DoesNotContain(key, output, StringComparison.Ordinal);
        Assert.DoesNotContain(key, Calls, StringComparison.Ordinal);
        Assert.DoesNotContain("--value", Calls, StringComparison.Ordinal);
    }

    [Fact]
    public void HookWaitsForTheRoleAssignmentToTakeEffect()
    {
        File.WriteAllText(Path.Combine(_bin.FullName, "forbid"), "2");

        var (exitCode, output) = RunHook();

        Assert.True(exitCode == 0, output);
        Assert.True(File.Exists(StoredSecret), output);
    }

    [Fact]
    public void HookRefusesToRunWithoutTheVaultName()
    {
        var (exitCode, output) = RunHook(vaultName: null);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("AZURE_KEY_VAULT_NAME", output, StringComparison.Ordinal);
    }

    private (int ExitCode, string Output) RunHook(string? vaultName = "kv-test")
    {
        var start = new ProcessStartInfo("sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repo.Root,
        };
        start.ArgumentList.Add(Path.Combine(Repo.Infra, "hooks", "postprovision.sh"));
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AZURE_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["PATH"] = _bin.FullName + Path.PathSeparator + start.Environment["PATH"];
        start.Environment["POSTPROVISION_RETRY_SECONDS"] = "0";
        if (vaultName is not null)
        {
            start.Environment["AZURE_KEY_VAULT_NAME"] = vaultName;
            start.Environment["AZURE_SIGNING_KEY_SECRET_NAME"] = "jwt-signing-key";
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("postprovision.sh did not finish within 30 s.");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult());
    }

    public void Dispose() => _bin.Delete(recursive: true);
}
