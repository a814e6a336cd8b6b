using Azure.Core;
using Azure.Identity;

namespace JwtFunctions.Identity;

/// <summary>The one way this app gets an Entra ID credential for Key Vault and Table Storage.</summary>
public static class AzureCredentials
{
    /// <summary>
    /// <see cref="DefaultAzureCredential"/>: the managed identity in Azure (the user-assigned one
    /// named by <paramref name="managedIdentityClientId"/>, else <c>AZURE_CLIENT_ID</c>, else the
    /// system-assigned one), a developer's Azure CLI / Visual Studio sign-in locally.
    /// </summary>
    public static TokenCredential Create(string? managedIdentityClientId) =>
        new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = managedIdentityClientId });
}
