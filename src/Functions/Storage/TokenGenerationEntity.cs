using Azure;
using Azure.Data.Tables;

namespace JwtFunctions.Storage;

/// <summary>
/// A user's raised token generation, published for every instance's revocation list. Kept until
/// every access token of an older generation has expired (raised-at + access lifetime + skew).
/// </summary>
public sealed class TokenGenerationEntity : ITableEntity
{
    public const string Partition = "gen";

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public long Generation { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
