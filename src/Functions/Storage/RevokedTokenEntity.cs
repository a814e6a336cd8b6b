using Azure;
using Azure.Data.Tables;

namespace JwtFunctions.Storage;

/// <summary>A revoked access token, by <c>jti</c>, kept until the token would have expired anyway.</summary>
public sealed class RevokedTokenEntity : ITableEntity
{
    public const string Partition = "jti";

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Subject { get; set; } = string.Empty;

    public DateTimeOffset ExpiresAt { get; set; }
}
