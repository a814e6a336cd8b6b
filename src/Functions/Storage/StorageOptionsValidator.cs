using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Storage;

/// <summary>Start-up checks: table names valid, and the Functions storage setting present in one of its two forms.</summary>
public sealed class StorageOptionsValidator(IConfiguration configuration) : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        foreach (var (setting, table) in new[] { ("Storage:UsersTable", options.UsersTable), ("Storage:RefreshTokensTable", options.RefreshTokensTable), ("Storage:RevocationsTable", options.RevocationsTable) })
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
