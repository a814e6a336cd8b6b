using Azure;
using Azure.Data.Tables;

namespace JwtFunctions.Storage;

/// <summary>
/// Failed-login bookkeeping of one account, beside the user row (same partition, RowKey
/// <c>lockout</c>), updated with ETag concurrency so every instance counts the same failures.
/// </summary>
public sealed class LockoutEntity : ITableEntity
{
    public const string Row = "lockout";

    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = Row;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>Failures counted in the current window.</summary>
    public int Failures { get; set; }

    public DateTimeOffset WindowStart { get; set; }

    /// <summary>How many lock-outs in a row; each one lasts twice the one before, up to the maximum.</summary>
    public int Lockouts { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }

    public DateTimeOffset? LastLockedAt { get; set; }
}
