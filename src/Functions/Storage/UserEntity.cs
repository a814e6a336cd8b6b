using Azure;
using Azure.Data.Tables;

namespace JwtFunctions.Storage;

/// <summary>A user account. PartitionKey is the lower-case username; one row per user.</summary>
public sealed class UserEntity : ITableEntity
{
    public const string Row = "user";

    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = Row;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>The username as registered (display form).</summary>
    public string Username { get; set; } = string.Empty;

    /// <summary>A <see cref="Accounts.PasswordHasher"/> hash. Never logged.</summary>
    public string PasswordHash { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Raised by "log out everywhere" and a password change; tokens carry it as <c>gen</c>, and
    /// tokens of an older generation are refused.
    /// </summary>
    public long TokenGeneration { get; set; }

    public override string ToString() => $"UserEntity({PartitionKey})";
}
