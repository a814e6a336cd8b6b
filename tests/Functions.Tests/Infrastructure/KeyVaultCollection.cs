namespace JwtFunctions.Tests.Infrastructure;

/// <summary>
/// One vault for all Key Vault tests: the client caches the challenge per host:port and the
/// managed-identity token per process, so the vault, its port and its token stay the same.
/// </summary>
[CollectionDefinition(Name)]
public sealed class KeyVaultCollection : ICollectionFixture<TestKeyVault>
{
    public const string Name = "Key Vault";
}
