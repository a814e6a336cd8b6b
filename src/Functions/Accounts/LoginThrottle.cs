using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Azure;
using Azure.Data.Tables;
using JwtFunctions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Accounts;

/// <summary>Limits on password attempts, bound from the <c>Throttling</c> configuration section.</summary>
public sealed class ThrottleOptions
{
    public const string SectionName = "Throttling";

    /// <summary>
    /// Password attempts (login, registration, password change) one source address may make per
    /// <see cref="Window"/>, whatever the usernames. Default 20. IPv6 sources count per /64.
    /// </summary>
    public int PerSourceLimit { get; set; } = 20;

    /// <summary>Password attempts on one username per <see cref="Window"/>, from any source. Default 10.</summary>
    public int PerUsernameLimit { get; set; } = 10;

    /// <summary>The fixed window the limits count in. Default one minute.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Start-up checks of <see cref="ThrottleOptions"/>, each message saying how to fix it.</summary>
public sealed class ThrottleOptionsValidator : IValidateOptions<ThrottleOptions>
{
    public const int MaximumLimit = 100_000;

    public ValidateOptionsResult Validate(string? name, ThrottleOptions options)
    {
        var failures = new List<string>();
        if (options.PerSourceLimit is < 1 or > MaximumLimit)
        {
            failures.Add($"Throttling:PerSourceLimit must be between 1 and {MaximumLimit:N0} password attempts per window (default 20).");
        }

        if (options.PerUsernameLimit is < 1 or > MaximumLimit)
        {
            failures.Add($"Throttling:PerUsernameLimit must be between 1 and {MaximumLimit:N0} password attempts per window (default 10).");
        }

        if (options.Window < TimeSpan.FromSeconds(1) || options.Window > TimeSpan.FromHours(1))
        {
            failures.Add("Throttling:Window must be between 00:00:01 and 01:00:00 (default 00:01:00).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// Bounds what one attacker costs: every password attempt (each one a full password hash) is
/// counted per source address and per username in Table Storage, shared by every instance, and
/// refused once a count reaches its limit within the window, before any hashing (OWASP
/// Authentication Cheat Sheet, "Protect Against Automated Attacks"; RFC 6585 §4, 429 with
/// <c>Retry-After</c>). A fixed window per key: one row, read and then written conditionally on
/// its ETag, so concurrent attempts on several instances are each counted exactly once. A refused
/// attempt writes nothing (one read), so a flood over its limit costs one storage read a request.
/// </summary>
public sealed class LoginThrottle(TableServiceClient service, IOptions<StorageOptions> storage, IOptions<ThrottleOptions> options, TimeProvider time, ILogger<LoginThrottle> logger)
{
    private const int MaxAttempts = 20;

    private readonly ProvisionedTable _table = new(service.GetTableClient(storage.Value.ThrottleTable));

    /// <summary>The configured window: a row whose window began longer ago counts as no row.</summary>
    public TimeSpan Window => options.Value.Window;

    internal ValueTask<TableClient> GetTableAsync(CancellationToken cancellationToken) => _table.GetAsync(cancellationToken);

    /// <summary>
    /// Counts one password attempt from <paramref name="source"/> (the client address, <c>null</c>
    /// when unknown: all such share one count) on <paramref name="username"/> (counted only when
    /// it is a valid username). <c>null</c> when allowed; else how long until the refusing window ends.
    /// </summary>
    public async Task<TimeSpan?> TryAcquireAsync(IPAddress? source, string? username, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (await TryCountAsync(SourceKey(source), settings.PerSourceLimit, settings.Window, cancellationToken).ConfigureAwait(false) is { } sourceWait)
        {
            ThrottleLog.Throttled(logger, "source");
            return sourceWait;
        }

        if (Usernames.TryNormalize(username, out var user)
            && await TryCountAsync("user:" + user, settings.PerUsernameLimit, settings.Window, cancellationToken).ConfigureAwait(false) is { } userWait)
        {
            ThrottleLog.Throttled(logger, "username");
            return userWait;
        }

        return null;
    }

    /// <summary>
    /// The key of a source: the IPv4 address, or the /64 prefix of an IPv6 one (one subscriber's
    /// allocation, RFC 6177: counting single IPv6 addresses would let one client take 2^64 budgets).
    /// </summary>
    public static string SourceKey(IPAddress? source)
    {
        if (source is null)
        {
            return "source:unknown";
        }

        if (source.IsIPv4MappedToIPv6)
        {
            source = source.MapToIPv4();
        }

        if (source.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = source.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return "source:" + new IPAddress(bytes) + "/64";
        }

        return "source:" + source;
    }

    private async Task<TimeSpan?> TryCountAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var now = time.GetUtcNow();
            var found = await table.GetEntityIfExistsAsync<ThrottleEntity>(key, ThrottleEntity.Row, cancellationToken: cancellationToken).ConfigureAwait(false);
            var row = found.HasValue ? found.Value! : new ThrottleEntity { PartitionKey = key, WindowStart = now };
            if (now >= row.WindowStart + window || row.WindowStart > now + window)
            {
                row.WindowStart = now;
                row.Count = 0;
            }

            if (row.Count >= limit)
            {
                return Wait(row.WindowStart + window - now);
            }

            row.Count++;
            try
            {
                if (found.HasValue)
                {
                    await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await table.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
                }

                return null;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another attempt was counted at the same moment: read again and count on top of it.
                await Task.Delay(Random.Shared.Next(1, 10 + attempt * 5), cancellationToken).ConfigureAwait(false);
            }
        }

        // A key this contended is itself a flood: refuse rather than count it unrecorded.
        return Wait(TimeSpan.Zero);
    }

    /// <summary>Whole seconds, at least one (RFC 9110 §10.2.3: <c>Retry-After</c> is a delay in seconds).</summary>
    private static TimeSpan Wait(TimeSpan remaining) => TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(remaining.TotalSeconds)));
}

/// <summary>One fixed-window counter: PartitionKey <c>source:ADDRESS</c> or <c>user:NAME</c>, RowKey <c>window</c>.</summary>
public sealed class ThrottleEntity : ITableEntity
{
    public const string Row = "window";

    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = Row;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>When the current window began.</summary>
    public DateTimeOffset WindowStart { get; set; }

    /// <summary>Attempts counted in the current window.</summary>
    public int Count { get; set; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"ThrottleEntity({Count} since {WindowStart:O})");
}

/// <summary>Throttle log lines: which kind of limit refused, never the address or username.</summary>
internal static partial class ThrottleLog
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Password attempt throttled: the {Kind} limit is reached")]
    public static partial void Throttled(ILogger logger, string kind);
}
