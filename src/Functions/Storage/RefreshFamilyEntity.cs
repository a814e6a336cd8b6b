using Azure;
using Azure.Data.Tables;

namespace JwtFunctions.Storage;

/// <summary>
/// A refresh-token family: every token descended from one login (one session, the tokens' <c>sid</c>).
/// Revoking the family revokes all of them at once. PartitionKey is the user, RowKey <c>f_{familyId}</c>.
/// </summary>
public sealed class RefreshFamilyEntity : ITableEntity
{
    public const string RowPrefix = "f_";

    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public bool Revoked { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary><see cref="RevocationReasons"/>.</summary>
    public string? RevokedReason { get; set; }

    public static string RowKeyFor(string familyId) => RowPrefix + familyId;
}
