using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using JwtFunctions.Infra.Tests.Infrastructure;
using JwtFunctions.SigningKeys;

namespace JwtFunctions.Infra.Tests.Hooks;

/// <summary>
/// Runs infra/hooks/postprovision.sh and its Windows twin postprovision.ps1 (each case against
/// both) with a stand-in `az` that records its arguments and keeps the uploaded value in a file,
/// so the hooks' behaviour is checked without Azure.
/// </summary>
public sealed class PostprovisionHookTests : IDisposable
{
    private const string FakeAz = """
        #!/bin/sh
        # Stand-in for the Azure CLI: records each call's arguments, emulates one Key Vault secret,
        # the signed-in principal (file "oid") and the vault's network and role-assignment calls.
        # `secret set` keeps the value ("secret"), its content type, the uploaded file's mode and path.
        dir=$(dirname "$0")
        printf '%s\n' "$*" >>"$dir/calls.log"
        case "$1 $2" in
          "account get-access-token")
            if [ -f "$dir/no-token" ]; then echo "ERROR: Please run 'az login' to setup account." >&2; exit 1; fi
            oid=$(cat "$dir/oid" 2>/dev/null || echo 00000000-0000-0000-0000-0000000000aa)
            payload=$(printf '{"aud":"https://vault.azure.net","oid":"%s","tid":"t"}' "$oid" | base64 | tr -d '\n=' | tr '+/' '-_')
            printf 'eyJ0eXAiOiJKV1QifQ.%s.c2lnbmF0dXJl\n' "$payload"
            exit 0 ;;
          "keyvault update" | "keyvault network-rule" | "role assignment")
            if [ -f "$dir/fail-$2" ]; then echo "ERROR: (AuthorizationFailed) $2" >&2; exit 1; fi
            exit 0 ;;
        esac
        case "$3" in
          list-versions)
            case "$*" in
              *contentType*)
                # The newest enabled version's content type; az prints nothing for null.
                if [ -f "$dir/content-type" ]; then cat "$dir/content-type"; fi
                exit 0 ;;
            esac
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
              if [ "$1" = "--file" ]; then cp "$2" "$dir/secret"; stat -c %a "$2" >"$dir/mode"; printf '%s' "$2" >"$dir/file-path"; fi
              if [ "$1" = "--content-type" ]; then printf '%s\n' "$2" >"$dir/content-type"; fi
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

    /// <summary>Both hooks of azure.yaml: every case runs against each.</summary>
    public static TheoryData<string> Hooks => new("sh", "ps1");

    private string StoredSecret => Path.Combine(_bin.FullName, "secret");

    private string Calls => File.Exists(Path.Combine(_bin.FullName, "calls.log")) ? File.ReadAllText(Path.Combine(_bin.FullName, "calls.log")) : string.Empty;

    [Theory]
    [MemberData(nameof(Hooks))]
    public void HookCreatesAKeyOf64RandomBytesWhenTheSecretIsMissing(string hook)
    {
        var (exitCode, output) = RunHook(hook);

        Assert.True(exitCode == 0, output);
        var key = Convert.FromBase64String(File.ReadAllText(StoredSecret));
        Assert.Equal(64, key.Length);
        Assert.Contains("--vault-name kv-test --name jwt-signing-key", Calls, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hooks))]
    public void HookMakesADifferentKeyEachTime(string hook)
    {
        Assert.Equal(0, RunHook(hook).ExitCode);
        var first = File.ReadAllText(StoredSecret);
        File.Delete(StoredSecret);
        Assert.Equal(0, RunHook(hook).ExitCode);
        Assert.NotEqual(first, File.ReadAllText(StoredSecret));
    }

    [Theory]
    [MemberData(nameof(Hooks))]
    public void HookLeavesAnExistingSecretUnchangedSoIssuedTokensStayValid(string hook)
    {
        File.WriteAllText(StoredSecret, "existing");

        var (exitCode, output) = RunHook(hook);

        Assert.True(exitCode == 0, output);
        Assert.Equal("existing", File.ReadAllText(StoredSecret));
        Assert.DoesNotContain("secret set", Calls, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hooks))]
    public void HookNeverPrintsTheKeyNorPassesItOnACommandLine(string hook)
    {
        var (exitCode, output) = RunHook(hook);

        Assert.Equal(0, exitCode);
        var key = File.ReadAllText(StoredSecret);
        Assert.DoesNotContain(key, output, StringComparison.Ordinal);
        Assert.DoesNotContain(key, Calls, StringComparison.Ordinal);
        Assert.DoesNotContain("--value", Calls, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hooks))]
    public void HookWaitsForTheRoleAssignmentToTakeEffect(string hook)
    {
        File.WriteAllText(Path.Combine(_bin.FullName, "forbid"), "2");

        var (exitCode, output) = RunHook(hook);

        Assert.True(exitCode == 0, output);
        Assert.True(File.Exists(StoredSecret), output);
    }

    [Theory]
    [MemberData(nameof(Hooks))]
    public void HookRefusesToRunWithoutTheVaultName(string hook)
    {
        var (exitCode, output) = RunHook(hook, vaultName: null);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("AZURE_KEY_VAULT_NAME", output, StringComparison.Ordinal);
    }

    private const string Deployer = "00000000-0000-0000-0000-0000000000aa";
    private const string SomeoneElse = "00000000-0000-0000-0000-0000000000bb";
    private const string AssignmentId = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-test/providers/Microsoft.Authorization/roleAssignments/0f0f";

    private string[] CallLines => Calls.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Theory]
    [MemberData(nameof(Hooks))]
    public void HookStopsAtOnceAndNamesBothPrincipalsWhenAzIsNotTheDeployer(string hook)
    {
        File.WriteAllText(Path.Combine(_bin.FullName, "oid"), SomeoneElse);

        var (exitCode, output) = RunHook(hook, environment: new() { ["AZURE_DEPLOYER_PRINCIPAL_ID"] = Deployer });

        Assert.NotEqual(0, exitCode);
        Assert.Contains(Deployer, output, StringComparison.Ordinal);
        Assert.Contains(SomeoneElse, output, StringComparison.Ordinal);
        Assert.Contains("az login", output, StringComparison.Ordinal);
        Assert.DoesNotContain("keyvault", Calls, StringComparison.Ordinal);
        Assert.False(File.Exists(StoredSecret));
    }

    [Theory]
    [MemberData(nameof(Hooks))]
    public void HookCreatesTheKeyWhenAzIsTheDeployer(string hook)
    {
        File.WriteAllText(Path.Combine(_bin.FullName, "oid"), Deployer);

        var (exitCode, output) = RunHook(hook, environment: new() { ["AZURE_DEPLOYER_PRINCIPAL_ID"] = Deployer });

        Assert.True(exitCode == 0, output);
        Assert.True(File.Exists(StoredSecret), output);
        Assert.DoesNotContain("eyJ", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hooks))]
    public void HookGoesOnWhenItCannotTellWhoAzIsSignedInAs(string hook)
    {
        File.WriteAllText(Path.Combine(_bin.FullName, "no-token"), string.Empty);

        var (exitCode, output) = RunHook(hook, environment: new() { ["AZURE_DEPLOYER_PRINCIPAL_ID"] = Deployer });

        Assert.True(exitCode == 0, output);
        Assert.Contains($"run 'az login' as principal {Deployer}", output, StringComparison.Ordinal);
        Assert.True(File.Exists(StoredSecret), output);
    }

    [Theory]
    [InlineData("sh", false)]
    [InlineData("sh", true)]
    [InlineData("ps1", false)]
    [InlineData("ps1", true)]
    public void BootstrapModeDeletesTheDeployersVaultRoleOnceTheKeyExists(string hook, bool keyExisted)
    {
        if (keyExisted)
        {
            File.WriteAllText(StoredSecret, "existing");
        }

        var (exitCode, output) = RunHook(hook, environment: new()
        {
            ["AZURE_DEPLOYER_VAULT_ACCESS"] = "bootstrap",
            ["AZURE_DEPLOYER_VAULT_ROLE_ASSIGNMENT_ID"] = AssignmentId,
        });

        Assert.True(exitCode == 0, output);
        var lines = CallLines;
        var delete = Array.FindIndex(lines, l => l == $"role assignment delete --ids {AssignmentId} --output none");
        Assert.True(delete >= 0, Calls);
        var lastVaultCall = Array.FindLastIndex(lines, l => l.StartsWith("keyvault secret", StringComparison.Ordinal));
        Assert.True(delete > lastVaultCall, "The role must be deleted only after the key exists.");
    }

    [Theory]
    [MemberData(nameof(Hooks))]
    public void BootstrapModeFailsAndSaysHowWhenTheRoleCannotBeDeleted(string hook)
    {
        File.WriteAllText(Path.Combine(_bin.FullName, "fail-assignment"), string.Empty);

        var (exitCode, output) = RunHook(hook, environment: new()
        {
            ["AZURE_DEPLOYER_VAULT_ACCESS"] = "bootstrap",
            ["AZURE_DEPLOYER_VAULT_ROLE_ASSIGNMENT_ID"] = AssignmentId,
        });

        Assert.NotEqual(0, exitCode);
        Assert.True(File.Exists(StoredSecret), output);
        Assert.Contains($"az role assignment delete --ids '{AssignmentId}'", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hooks))]
    public void PersistentModeKeepsTheDeployersVaultRole(string hook)
    {
        var (exitCode, output) = RunHook(hook, environment: new() { ["AZURE_DEPLOYER_VAULT_ROLE_ASSIGNMENT_ID"] = AssignmentId });

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("role assignment", Calls, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hooks))]
    public void NoneModeLeavesTheVaultAloneAndSaysWhoMustCreateTheKey(string hook)
    {
        var (exitCode, output) = RunHook(hook, environment: new() { ["AZURE_DEPLOYER_VAULT_ACCESS"] = "none" });

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, Calls);
        Assert.Contains("Key Vault Secrets Officer", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sh", false)]
    [InlineData("sh", true)]
    [InlineData("ps1", false)]
    [InlineData("ps1", true)]
    public void PrivateModeOpensTheVaultToTheCallersIpOnlyWhileItWorks(string hook, bool uploadFails)
    {
        if (uploadFails)
        {
            // A secret that cannot be listed for another reason: the hook fails, and must still close the vault.
            File.WriteAllText(Path.Combine(_bin.FullName, "forbid"), "99");
        }

        var (exitCode, output) = RunHook(hook, environment: new()
        {
            ["AZURE_VNET_ENABLED"] = "true",
            ["POSTPROVISION_CLIENT_IP"] = "203.0.113.7",
            ["POSTPROVISION_MAX_ATTEMPTS"] = "2",
        });

        Assert.True((exitCode == 0) != uploadFails, output);
        var lines = CallLines;
        var open = Array.IndexOf(lines, "keyvault update --name kv-test --public-network-access Enabled --default-action Deny --bypass None --output none");
        var allow = Array.IndexOf(lines, "keyvault network-rule add --name kv-test --ip-address 203.0.113.7/32 --output none");
        var firstSecretCall = Array.FindIndex(lines, l => l.StartsWith("keyvault secret", StringComparison.Ordinal));
        Assert.True(open >= 0 && allow > open && firstSecretCall > allow, Calls);
        Assert.Equal("keyvault network-rule remove --name kv-test --ip-address 203.0.113.7/32 --output none", lines[^2]);
        Assert.Equal("keyvault update --name kv-test --public-network-access Disabled --output none", lines[^1]);
    }

    [Theory]
    [MemberData(nameof(Hooks))]
    public void PrivateModeClosesTheVaultAgainWhenOpeningItFails(string hook)
    {
        File.WriteAllText(Path.Combine(_bin.FullName, "fail-network-rule"), string.Empty);

        var (exitCode, output) = RunHook(hook, environment: new()
        {
            ["AZURE_VNET_ENABLED"] = "true",
            ["POSTPROVISION_CLIENT_IP"] = "203.0.113.7",
        });

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("keyvault secret", Calls, StringComparison.Ordinal);
        Assert.Equal("keyvault update --name kv-test --public-network-access Disabled --output none", CallLines[^1]);
        Assert.Contains("disabled again", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hooks))]
    public void PrivateModeInsideTheNetworkTouchesNoFirewall(string hook)
    {
        var (exitCode, output) = RunHook(hook, environment: new()
        {
            ["AZURE_VNET_ENABLED"] = "true",
            ["POSTPROVISION_VAULT_NETWORK"] = "private",
        });

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("keyvault update", Calls, StringComparison.Ordinal);
        Assert.DoesNotContain("network-rule", Calls, StringComparison.Ordinal);
    }

    private const string HmacContentType = "base64; HMAC signing key";

    private string StoredContentType => File.Exists(Path.Combine(_bin.FullName, "content-type")) ? File.ReadAllText(Path.Combine(_bin.FullName, "content-type")).Trim() : string.Empty;

    private static Dictionary<string, string> Algorithm(string algorithm) => new() { ["JWT_SIGNING_ALGORITHM"] = algorithm };

    [Theory]
    [InlineData("sh", "ES256")]
    [InlineData("sh", "RS256")]
    [InlineData("ps1", "ES256")]
    [InlineData("ps1", "RS256")]
    public void WithEs256OrRs256TheHookCreatesAPemPrivateKeyTheAppAccepts(string hook, string algorithm)
    {
        var (exitCode, output) = RunHook(hook, environment: Algorithm(algorithm));

        Assert.True(exitCode == 0, output);
        var pem = File.ReadAllText(StoredSecret);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem.TrimStart(), StringComparison.Ordinal);

        // The app's own parser: PKCS#8 PEM, P-256 for ES256, RSA >= 2048 for RS256.
        var problem = SigningKeyParser.TryParsePrivateKey(pem, algorithm, out var key);
        using (key)
        {
            Assert.True(problem == SigningKeyProblem.None, $"The app refuses the {algorithm} key the hook made: {SigningKeyParser.DescribePrivateKey(problem, algorithm)}");
            if (algorithm == "ES256")
            {
                var ec = Assert.IsAssignableFrom<ECDsa>(key);
                Assert.Equal(256, ec.KeySize);
            }
            else
            {
                var rsa = Assert.IsAssignableFrom<RSA>(key);
                Assert.Equal(3072, rsa.KeySize);
            }
        }

        Assert.Contains(algorithm, StoredContentType, StringComparison.Ordinal);
        Assert.Contains($"for {algorithm}; value not shown", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sh", "HS256")]
    [InlineData("sh", "HS384")]
    [InlineData("sh", "HS512")]
    [InlineData("ps1", "HS256")]
    [InlineData("ps1", "HS384")]
    [InlineData("ps1", "HS512")]
    public void WithAnHmacAlgorithmTheHookCreates64RandomBytesAsBefore(string hook, string algorithm)
    {
        var (exitCode, output) = RunHook(hook, environment: Algorithm(algorithm));

        Assert.True(exitCode == 0, output);
        var value = File.ReadAllText(StoredSecret);
        Assert.Equal(64, Convert.FromBase64String(value).Length);
        Assert.Equal(SigningKeyProblem.None, SigningKeyParser.TryParse(value, 64, out _));
        Assert.Equal(HmacContentType, StoredContentType);
    }

    [Theory]
    [InlineData("sh", "HS256")]
    [InlineData("sh", "ES256")]
    [InlineData("sh", "RS256")]
    [InlineData("ps1", "HS256")]
    [InlineData("ps1", "ES256")]
    [InlineData("ps1", "RS256")]
    public void TheKeyFileIsOwnerOnlyAndGoneAfterwardsAndTheKeyIsNeverPrinted(string hook, string algorithm)
    {
        var (exitCode, output) = RunHook(hook, environment: Algorithm(algorithm));

        Assert.True(exitCode == 0, output);
        Assert.Equal("600", File.ReadAllText(Path.Combine(_bin.FullName, "mode")).Trim());
        var uploaded = File.ReadAllText(Path.Combine(_bin.FullName, "file-path"));
        Assert.False(File.Exists(uploaded), $"{uploaded} is left behind.");
        Assert.False(Directory.Exists(Path.GetDirectoryName(uploaded)), $"{Path.GetDirectoryName(uploaded)} is left behind.");

        // No line of the key (PEM body or base64) on the terminal or on az's command line.
        foreach (var line in File.ReadAllLines(StoredSecret).Where(l => l.Length >= 16 && !l.StartsWith("-----", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain(line, output, StringComparison.Ordinal);
            Assert.DoesNotContain(line, Calls, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("--value", Calls, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sh", HmacContentType, "ES256", "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out new-key.pem", "new-key.pem")]
    [InlineData("sh", HmacContentType, "RS256", "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out new-key.pem", "new-key.pem")]
    [InlineData("sh", "application/x-pem-file; ES256 signing key (PKCS#8, EC P-256)", "HS256", "openssl rand -base64 64 | tr -d '\\n' >new-key.b64", "new-key.b64")]
    [InlineData("sh", "application/x-pem-file; RS256 signing key (PKCS#8, RSA 3072)", "ES256", "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out new-key.pem", "new-key.pem")]
    [InlineData("ps1", HmacContentType, "ES256", "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out new-key.pem", "new-key.pem")]
    [InlineData("ps1", HmacContentType, "RS256", "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out new-key.pem", "new-key.pem")]
    [InlineData("ps1", "application/x-pem-file; ES256 signing key (PKCS#8, EC P-256)", "HS256", "openssl rand -base64 64 | tr -d '\\n' >new-key.b64", "new-key.b64")]
    [InlineData("ps1", "application/x-pem-file; RS256 signing key (PKCS#8, RSA 3072)", "ES256", "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out new-key.pem", "new-key.pem")]
    public void AnExistingKeyOfTheWrongKindStopsTheHookWithTheCommandsThatFixIt(string hook, string existingContentType, string algorithm, string makeCommand, string newFile)
    {
        File.WriteAllText(StoredSecret, "existing");
        File.WriteAllText(Path.Combine(_bin.FullName, "content-type"), existingContentType + "\n");

        var (exitCode, output) = RunHook(hook, environment: new()
        {
            ["JWT_SIGNING_ALGORITHM"] = algorithm,
            ["AZURE_DEPLOYER_VAULT_ACCESS"] = "bootstrap",
            ["AZURE_DEPLOYER_VAULT_ROLE_ASSIGNMENT_ID"] = AssignmentId,
        });

        Assert.NotEqual(0, exitCode);
        Assert.Equal("existing", File.ReadAllText(StoredSecret));
        Assert.DoesNotContain("secret set", Calls, StringComparison.Ordinal);
        Assert.Contains($"but JWT_SIGNING_ALGORITHM is {algorithm}: the app refuses that key", output, StringComparison.Ordinal);
        Assert.Contains("add a new version of the right kind", output, StringComparison.Ordinal);
        Assert.Contains($"(umask 077 && {makeCommand})", output, StringComparison.Ordinal);
        Assert.Contains($"az keyvault secret set --vault-name 'kv-test' --name 'jwt-signing-key' --file {newFile} --encoding utf-8 --content-type '", output, StringComparison.Ordinal);
        Assert.Contains("azd hooks run postprovision", output, StringComparison.Ordinal);

        // bootstrap: the deployer keeps the vault role it needs to add that version.
        Assert.DoesNotContain("role assignment delete", Calls, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sh", "application/x-pem-file; ES256 signing key (PKCS#8, EC P-256)", "ES256")]
    [InlineData("sh", HmacContentType, "HS512")]
    [InlineData("ps1", "application/x-pem-file; RS256 signing key (PKCS#8, RSA 3072)", "RS256")]
    [InlineData("ps1", HmacContentType, "HS384")]
    public void AnExistingKeyOfTheRightKindIsLeftUnchanged(string hook, string existingContentType, string algorithm)
    {
        File.WriteAllText(StoredSecret, "existing");
        File.WriteAllText(Path.Combine(_bin.FullName, "content-type"), existingContentType + "\n");

        var (exitCode, output) = RunHook(hook, environment: Algorithm(algorithm));

        Assert.True(exitCode == 0, output);
        Assert.Equal("existing", File.ReadAllText(StoredSecret));
        Assert.DoesNotContain("secret set", Calls, StringComparison.Ordinal);
        Assert.DoesNotContain("kind was not checked", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hooks))]
    public void AnExistingKeyWithoutAKnownContentTypeIsLeftUnchangedWithAWarning(string hook)
    {
        File.WriteAllText(StoredSecret, "existing");

        var (exitCode, output) = RunHook(hook, environment: Algorithm("ES256"));

        Assert.True(exitCode == 0, output);
        Assert.Equal("existing", File.ReadAllText(StoredSecret));
        Assert.Contains("kind was not checked; with ES256 it must be a P-256 private key, PEM PKCS#8", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sh", "es256")]
    [InlineData("sh", "HS1024")]
    [InlineData("ps1", "es256")]
    [InlineData("ps1", "HS1024")]
    public void AnUnknownAlgorithmStopsTheHookBeforeItTouchesTheVault(string hook, string algorithm)
    {
        var (exitCode, output) = RunHook(hook, environment: Algorithm(algorithm));

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"JWT_SIGNING_ALGORITHM is '{algorithm}'; it must be HS256, HS384, HS512, ES256 or RS256", output, StringComparison.Ordinal);
        Assert.DoesNotContain("keyvault", Calls, StringComparison.Ordinal);
    }

    [Fact]
    public void BothHooksReadTheSameSettingsAndPrintTheSameMessages()
    {
        var sh = File.ReadAllText(Path.Combine(Repo.Infra, "hooks", "postprovision.sh"));
        var ps1 = File.ReadAllText(Path.Combine(Repo.Infra, "hooks", "postprovision.ps1"));

        static string[] Settings(string text) => Regex.Matches(text, @"\b(?:AZURE|POSTPROVISION|JWT)_[A-Z_]+\b")
            .Select(m => m.Value).Distinct().Order(StringComparer.Ordinal).ToArray();

        Assert.NotEmpty(Settings(sh));
        Assert.Equal(Settings(sh), Settings(ps1));

        // Each fixed part of a sh log line (between its $variables) appears in the ps1 hook too.
        var messages = Regex.Matches(sh, @"\blog ""((?:[^""\\]|\\.)*)""").Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(messages);
        foreach (var part in messages.SelectMany(m => Regex.Split(m, @"\$\{?\w+\}?|\\""")).Where(p => p.Length >= 12))
        {
            Assert.True(ps1.Contains(part, StringComparison.Ordinal), $"postprovision.ps1 lacks the message text \"{part}\".");
        }
    }

    /// <summary>
    /// Runs one hook: "sh" is infra/hooks/postprovision.sh under sh (azure.yaml's posix hook),
    /// "ps1" is infra/hooks/postprovision.ps1 under PowerShell (the windows hook), here the pwsh
    /// that tests/Infra.Tests/dotnet-tools.json pins and Infra.Tests.csproj restores on build.
    /// </summary>
    private (int ExitCode, string Output) RunHook(string hook, string? vaultName = "kv-test", Dictionary<string, string>? environment = null)
    {
        ProcessStartInfo start;
        if (hook == "sh")
        {
            start = new ProcessStartInfo("sh") { WorkingDirectory = Repo.Root };
            start.ArgumentList.Add(Path.Combine(Repo.Infra, "hooks", "postprovision.sh"));
        }
        else
        {
            // `dotnet tool run` finds the manifest from its working directory upwards.
            start = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.Combine(Repo.Root, "tests", "Infra.Tests") };
            foreach (var argument in (string[])["tool", "run", "pwsh", "--", "-NoLogo", "-NoProfile", "-NonInteractive", "-File", Path.Combine(Repo.Infra, "hooks", "postprovision.ps1")])
            {
                start.ArgumentList.Add(argument);
            }
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AZURE_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("POSTPROVISION_", StringComparison.OrdinalIgnoreCase)).ToList())
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

        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"postprovision.{hook} did not finish within 60 s.");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult());
    }

    public void Dispose() => _bin.Delete(recursive: true);
}
