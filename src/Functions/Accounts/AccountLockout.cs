using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Accounts;

/// <summary>
/// Per-account lock-out (OWASP Authentication Cheat Sheet, "Account Lockout"): after
/// <see cref="AccountOptions.LockoutThreshold"/> failures within <see cref="AccountOptions.LockoutWindow"/>
/// the account refuses every password, the right one included, for a cool-down that doubles with
/// each lock-out in a row up to <see cref="AccountOptions.MaxLockoutDuration"/>.
/// Trade-off against lock-out as denial of service: attempts made during a cool-down are not
/// counted and never extend it, so a trickle of requests cannot keep an account locked without
/// pausing; the doubling is capped, and forgotten after a day without a lock-out. Counted in
/// Table Storage with ETag concurrency, so all instances share one count and none is lost.
/// </summary>
public sealed class AccountLockout(UserStore users, IOptions<AccountOptions> options, TimeProvider time, ILogger<AccountLockout> logger)
{
    private const int MaxAttempts = 50;
    private static readonly TimeSpan EscalationMemory = TimeSpan.FromDays(1);

    /// <summary>The account's lock-out row, if it has one (read once per login).</summary>
    public Task<LockoutEntity?> ReadAsync(string user, CancellationToken cancellationToken) => users.FindLockoutAsync(user, cancellationToken);

    public bool IsLocked(LockoutEntity? lockout) => lockout?.LockedUntil > time.GetUtcNow();

    /// <summary>Counts one failed password, locking the account when the threshold is reached.</summary>
    public async Task RecordFailureAsync(string user, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var now = time.GetUtcNow();
            var lockout = await users.FindLockoutAsync(user, cancellationToken).ConfigureAwait(false)
                ?? new LockoutEntity { PartitionKey = user, WindowStart = now };
            if (lockout.LockedUntil > now)
            {
                return; // already locked: not counted, not extended
            }

            if (lockout.LastLockedAt is { } last && now - last > EscalationMemory)
            {
                lockout.Lockouts = 0;
            }

            if (lockout.Failures == 0 || now - lockout.WindowStart > settings.LockoutWindow)
            {
                lockout.Failures = 0;
                lockout.WindowStart = now;
            }

            lockout.Failures++;
            if (lockout.Failures >= settings.LockoutThreshold)
            {
                lockout.Lockouts++;
                lockout.Failures = 0;
                lockout.LastLockedAt = now;
                lockout.LockedUntil = now + Duration(lockout.Lockouts, settings);
            }

            if (await users.TrySaveLockoutAsync(lockout, cancellationToken).ConfigureAwait(false))
            {
                if (lockout.LockedUntil > now && lockout.LastLockedAt == now)
                {
                    AccountLog.LockedOut(logger, user, lockout.LockedUntil.Value - now);
                }

                return;
            }

            // Another failure was counted at the same moment: read again and count on top of it.
            await Task.Delay(Random.Shared.Next(1, 10 + attempt * 5), cancellationToken).ConfigureAwait(false);
        }

        AccountLog.LockoutNotRecorded(logger, user);
    }

    /// <summary>
    /// A correct password clears the failure count (not the escalation level). If a failure was
    /// counted since <paramref name="lockout"/> was read, the ETag refuses the reset: it stands.
    /// </summary>
    public async Task RecordSuccessAsync(LockoutEntity? lockout, CancellationToken cancellationToken)
    {
        if (lockout is { Failures: > 0 })
        {
            lockout.Failures = 0;
            await users.TrySaveLockoutAsync(lockout, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The length of the <paramref name="lockouts"/>-th lock-out in a row.</summary>
    public static TimeSpan Duration(int lockouts, AccountOptions settings)
    {
        var doubled = settings.LockoutDuration * Math.Pow(2, Math.Clamp(lockouts - 1, 0, 20));
        return doubled < settings.MaxLockoutDuration ? doubled : settings.MaxLockoutDuration;
    }
}

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
