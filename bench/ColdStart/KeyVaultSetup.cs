using JwtFunctions.TestSupport;

/// <summary>
/// The tests' Key Vault stand-in (HTTPS on loopback, self-signed) holding one signing-key version,
/// reached by the worker's real SecretClient and DefaultAzureCredential (App Service managed
/// identity endpoint) through a CONNECT proxy that only tunnels the vault's name.
/// </summary>
internal sealed class KeyVaultSetup : IAsyncDisposable
{
    private const string VaultHost = "jwtfunctions-test.vault.azure.net";
    private readonly TestKeyVault _vault;
    private readonly ConnectProxy _proxy;
    private readonly string _directory;

    private KeyVaultSetup(TestKeyVault vault, ConnectProxy proxy, string directory, string keyId)
    {
        _vault = vault;
        _proxy = proxy;
        _directory = directory;
        KeyId = keyId;
    }

    public string KeyId { get; }

    public static async Task<KeyVaultSetup> StartAsync(IDictionary<string, string> environment, byte[] key)
    {
        var vault = new TestKeyVault { SetProcessIdentityEnvironment = false };
        await vault.InitializeAsync();
        const string secretName = "jwt-signing-key";
        var keyId = vault.AddVersion(secretName, Convert.ToBase64String(key));
        var proxy = new ConnectProxy(VaultHost, 443, vault.HttpsPort);
        var directory = Directory.CreateTempSubdirectory("jwtfunctions-coldstart-kv-").FullName;
        var certificate = Path.Combine(directory, "test-vault.pem");
        await File.WriteAllTextAsync(certificate, vault.CertificatePem);

        environment.Remove("SigningKeys__LocalKey");
        foreach (var (name, value) in vault.IdentityEnvironment)
        {
            environment[name] = value;
        }

        environment["SigningKeys__VaultUri"] = vault.VaultUri.AbsoluteUri;
        environment["SigningKeys__SecretName"] = secretName;
        environment["HTTPS_PROXY"] = environment["https_proxy"] = proxy.ProxyUrl;
        environment["NO_PROXY"] = environment["no_proxy"] = "127.0.0.1,localhost";
        environment["SSL_CERT_FILE"] = certificate;
        return new KeyVaultSetup(vault, proxy, directory, keyId);
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _vault.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
