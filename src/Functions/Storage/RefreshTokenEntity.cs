using Azure;
using Azure.Data.Tables;

namespace JwtFunctions.Storage;

/// <summary>
/// One refresh token, by <c>jti</c>. PartitionKey is the user, RowKey <c>t_{jti}</c>, so a rotation
/// (spend this one, add its successor) is one entity-group transaction in one partition.
/// </summary>
public sealed class RefreshTokenEntity : ITableEntity
{
    public const string RowPrefix = "t_";

    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string FamilyId { get; set; } = string.Empty;

    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary><see cref="RefreshTokenStates"/>: active until used once, then spent.</summary>
    public string State { get; set; } = RefreshTokenStates.Active;

    /// <summary>The <c>jti</c> of the token this one was exchanged for.</summary>
    public string? Successor { get; set; }

    public DateTimeOffset? SpentAt { get; set; }

    public static string RowKeyFor(string tokenId) => RowPrefix + tokenId;
}
