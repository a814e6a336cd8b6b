namespace JwtFunctions.Storage;

/// <summary>
/// Table names, bound from the <c>Storage</c> section. The connection itself is the Functions
/// storage setting: <c>AzureWebJobsStorage</c> as a connection string (<c>UseDevelopmentStorage=true</c>
/// with Azurite), or its identity-based form <c>AzureWebJobsStorage__tableServiceUri</c> with a managed identity.
/// </summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>The Functions storage setting the table client is built from.</summary>
    public const string ConnectionName = "AzureWebJobsStorage";

    /// <summary>Table of user accounts. Default <c>Users</c>.</summary>
    public string UsersTable { get; set; } = "Users";

    /// <summary>Table of refresh tokens and their families. Default <c>RefreshTokens</c>.</summary>
    public string RefreshTokensTable { get; set; } = "RefreshTokens";

    /// <summary>Table of revoked access tokens and per-user token generations. Default <c>Revocations</c>.</summary>
    public string RevocationsTable { get; set; } = "Revocations";
}
