using Azure;
using Azure.Data.Tables;
using JwtFunctions.Accounts;
using JwtFunctions.Revocation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Hosting;

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

    /// <summary>Table of password-attempt counters per source address and username. Default <c>Throttle</c>.</summary>
    public string ThrottleTable { get; set; } = "Throttle";
}

/// <summary>Start-up checks: table names valid, and the Functions storage setting present in one of its two forms.</summary>
public sealed class StorageOptionsValidator(IConfiguration configuration) : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        foreach (var (setting, table) in new[] { ("Storage:UsersTable", options.UsersTable), ("Storage:RefreshTokensTable", options.RefreshTokensTable), ("Storage:RevocationsTable", options.RevocationsTable), ("Storage:ThrottleTable", options.ThrottleTable) })
        {
            // Table names: 3-63 alphanumeric characters, not starting with a digit.
            if (table is not { Length: >= 3 and <= 63 } || !char.IsAsciiLetter(table[0]) || !table.All(char.IsAsciiLetterOrDigit))
            {
                failures.Add($"{setting} must be 3-63 letters and digits, starting with a letter.");
            }
        }

        var section = configuration.GetSection(StorageOptions.ConnectionName);
        if (string.IsNullOrWhiteSpace(section.Value) && !Uri.TryCreate(section["tableServiceUri"], UriKind.Absolute, out _))
        {
            failures.Add("Table Storage is not configured. Set AzureWebJobsStorage to a connection string (UseDevelopmentStorage=true with Azurite), "
                + "or AzureWebJobsStorage__tableServiceUri to https://<account>.table.core.windows.net with a managed identity.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Row deletes that tolerate another writer: shared by the cleanup and an account's removal.</summary>
internal static class TableRowDeletes
{
    /// <summary>Entity-group transactions hold at most 100 operations, all in one partition.</summary>
    public const int MaxTransactionSize = 100;

    /// <summary>
    /// Deletes <paramref name="rows"/> (one partition, at most <see cref="MaxTransactionSize"/>), each
    /// conditional on its own ETag (<see cref="ETag.All"/>: unconditional), in one transaction; if any
    /// of them changed or went meanwhile (the transaction fails as a whole with 412 or 404), each is
    /// deleted on its own and those are skipped. Returns how many this call deleted.
    /// </summary>
    public static async Task<int> DeleteRowsAsync<T>(this TableClient table, IReadOnlyCollection<T> rows, CancellationToken cancellationToken)
        where T : ITableEntity
    {
        try
        {
            await table.SubmitTransactionAsync(rows.Select(row => new TableTransactionAction(TableTransactionActionType.Delete, row, row.ETag)), cancellationToken).ConfigureAwait(false);
            return rows.Count;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
        }

        var deleted = 0;
        foreach (var row in rows)
        {
            try
            {
                await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken).ConfigureAwait(false);
                deleted++;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Deleted by another writer, or changed since it was read: left alone.
            }
        }

        return deleted;
    }
}

/// <summary>A table client whose table is created on first use, once per process.</summary>
internal sealed class ProvisionedTable(TableClient client)
{
    private volatile bool _created;

    public string Name => client.Name;

    public async ValueTask<TableClient> GetAsync(CancellationToken cancellationToken)
    {
        if (!_created)
        {
            await client.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            _created = true;
        }

        return client;
    }
}

public static class StorageServiceCollectionExtensions
{
    /// <summary>Table Storage for users and refresh tokens, through the Functions storage setting.</summary>
    internal static IServiceCollection AddTableStorage(this IServiceCollection services)
    {
        services.AddValidatedOptions<StorageOptions, StorageOptionsValidator>(StorageOptions.SectionName);
        services.TryAddSingleton(provider => CreateTableServiceClient(provider.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton<UserStore>();
        services.TryAddSingleton<RefreshTokenStore>();
        services.TryAddSingleton<RevocationStore>();
        return services;
    }

    /// <summary>
    /// <c>AzureWebJobsStorage</c> as a connection string, or the identity-based form the Functions
    /// host also understands: <c>AzureWebJobsStorage__tableServiceUri</c> (+ <c>__clientId</c> for a
    /// user-assigned identity).
    /// </summary>
    public static TableServiceClient CreateTableServiceClient(IConfiguration configuration)
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);

        var section = configuration.GetSection(StorageOptions.ConnectionName);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return new TableServiceClient(section.Value, options);
        }

        if (Uri.TryCreate(section["tableServiceUri"], UriKind.Absolute, out var endpoint))
        {
            return new TableServiceClient(endpoint, AzureCredentials.Create(section["clientId"]), options);
        }

        throw new OptionsValidationException(StorageOptions.ConnectionName, typeof(StorageOptions),
            ["Table Storage is not configured. Set AzureWebJobsStorage to a connection string (UseDevelopmentStorage=true with Azurite), "
            + "or AzureWebJobsStorage__tableServiceUri to https://<account>.table.core.windows.net with a managed identity."]);
    }
}
