using System.Globalization;
using System.Text;
using Azure.Data.Tables;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// Every row of every table the app has on Azurite (Users, RefreshTokens, Revocations, ...), with
/// every property, ETag and Timestamp, read with the real Table Storage client. Two snapshots are
/// equal only if nothing was written in between: even a write of identical values changes the
/// row's ETag and Timestamp.
/// </summary>
public sealed class StoredState
{
    private readonly SortedDictionary<string, string> _rows;

    private StoredState(SortedDictionary<string, string> rows) => _rows = rows;

    public int RowCount => _rows.Count;

    public static async Task<StoredState> CaptureAsync(string connectionString)
    {
        var service = new TableServiceClient(connectionString);
        var rows = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var table in service.QueryAsync())
        {
            await foreach (var entity in service.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                rows[$"{table.Name}/{entity.PartitionKey}/{entity.RowKey}"] = Describe(entity);
            }
        }

        return new StoredState(rows);
    }

    /// <summary>The rows that were added, removed or changed since <paramref name="before"/>, one line each.</summary>
    public IReadOnlyList<string> ChangesSince(StoredState before)
    {
        var changes = new List<string>();
        foreach (var (key, value) in _rows)
        {
            if (!before._rows.TryGetValue(key, out var old))
            {
                changes.Add($"added   {key}: {value}");
            }
            else if (old != value)
            {
                changes.Add($"changed {key}: {old} -> {value}");
            }
        }

        changes.AddRange(before._rows.Keys.Where(key => !_rows.ContainsKey(key)).Select(key => $"removed {key}"));
        return changes;
    }

    /// <summary>One row as stored now, or null.</summary>
    public static async Task<TableEntity?> ReadAsync(string connectionString, string table, string partition, string row)
    {
        var client = new TableServiceClient(connectionString).GetTableClient(table);
        var found = await client.GetEntityIfExistsAsync<TableEntity>(partition, row);
        return found.HasValue ? found.Value : null;
    }

    private static string Describe(TableEntity entity)
    {
        var text = new StringBuilder();
        text.Append("etag=").Append(entity.ETag).Append(" ts=").Append(entity.Timestamp?.ToString("O", CultureInfo.InvariantCulture));
        foreach (var key in entity.Keys.Where(k => k is not ("odata.etag" or "Timestamp")).Order(StringComparer.Ordinal))
        {
            var value = entity[key];
            text.Append(' ').Append(key).Append('=').Append(value is byte[] bytes ? Convert.ToBase64String(bytes) : Convert.ToString(value, CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
