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
/// A password is checked only under a reservation taken before the hash, atomically (ETag) in
/// Table Storage shared by all instances: failures counted plus checks in flight never exceed the
/// threshold, so a burst of parallel guesses gets at most that many checks, and a right password
/// whose check ends after the account was locked is refused.
/// Trade-off against lock-out as denial of service: attempts made during a cool-down are not
/// counted and never extend it, so a trickle of requests cannot keep an account locked without
/// pausing; the doubling is capped, and forgotten after a day without a lock-out.
/// </summary>
public sealed class AccountLockout(UserStore users, IOptions<AccountOptions> options, TimeProvider time, ILogger<AccountLockout> logger)
{
    private const int MaxAttempts = 50;
    private static readonly TimeSpan EscalationMemory = TimeSpan.FromDays(1);

    /// <summary>
    /// How long a reservation holds its place: far longer than one password check takes, so only
    /// a reservation whose instance died before settling it is ever dropped by age.
    /// </summary>
    public static readonly TimeSpan ReservationLifetime = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Takes one of the account's remaining attempts before its password is checked. <c>false</c>
    /// when the account is locked, or when failures counted plus checks in flight already reach
    /// the threshold (the check is not made, and the attempt not counted).
    /// </summary>
    public async Task<bool> TryReserveAsync(string user, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var now = time.GetUtcNow();
            var lockout = Current(await users.FindLockoutAsync(user, cancellationToken).ConfigureAwait(false), user, now, settings);
            if (lockout.LockedUntil > now || lockout.Failures + lockout.InFlight >= settings.LockoutThreshold)
            {
                return false;
            }

            lockout.InFlight++;
            lockout.InFlightSince = lockout.InFlight == 1 ? now : lockout.InFlightSince;
            if (await users.TrySaveLockoutAsync(lockout, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            await Backoff(attempt, cancellationToken).ConfigureAwait(false);
        }

        AccountLog.LockoutNotRecorded(logger, user);
        return false;
    }

    /// <summary>
    /// Settles a reservation with the check's outcome. A failure is counted (locking the account
    /// at the threshold); a success clears the count when no other check is in flight, unless the
    /// account was locked while the password was being checked: then the success is refused (<c>false</c>).
    /// </summary>
    public async Task<bool> SettleAsync(string user, bool passwordMatched, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var now = time.GetUtcNow();
            var lockout = Current(await users.FindLockoutAsync(user, cancellationToken).ConfigureAwait(false), user, now, settings);
            lockout.InFlight = Math.Max(0, lockout.InFlight - 1);
            var locked = lockout.LockedUntil > now;
            if (passwordMatched)
            {
                // A success clears the count only when no other check is in flight: inside a
                // burst it would hand the burst's remaining guesses a fresh budget, and the burst
                // would get more than the threshold of checks.
                if (!locked && lockout.InFlight == 0)
                {
                    lockout.Failures = 0;
                }
            }
            else if (!locked)
            {
                lockout.Failures++;
                if (lockout.Failures >= settings.LockoutThreshold)
                {
                    lockout.Lockouts++;
                    lockout.Failures = 0;
                    lockout.LastLockedAt = now;
                    lockout.LockedUntil = now + Duration(lockout.Lockouts, settings);
                }
            }

            if (await users.TrySaveLockoutAsync(lockout, cancellationToken).ConfigureAwait(false))
            {
                if (lockout.LastLockedAt == now)
                {
                    AccountLog.LockedOut(logger, user, lockout.LockedUntil!.Value - now);
                }

                return passwordMatched && !locked;
            }

            await Backoff(attempt, cancellationToken).ConfigureAwait(false);
        }

        AccountLog.LockoutNotRecorded(logger, user);
        return false;
    }

    /// <summary>Gives a reservation back uncounted, when its password was never checked (no hashing slot, cancelled).</summary>
    public async Task ReleaseAsync(string user, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var lockout = Current(await users.FindLockoutAsync(user, cancellationToken).ConfigureAwait(false), user, time.GetUtcNow(), settings);
            if (lockout.InFlight == 0)
            {
                return;
            }

            lockout.InFlight--;
            if (await users.TrySaveLockoutAsync(lockout, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            await Backoff(attempt, cancellationToken).ConfigureAwait(false);
        }

        AccountLog.LockoutNotRecorded(logger, user);
    }

    /// <summary>The row as of <paramref name="now"/>: a new one, or with expired windows and stale reservations let go.</summary>
    private static LockoutEntity Current(LockoutEntity? lockout, string user, DateTimeOffset now, AccountOptions settings)
    {
        lockout ??= new LockoutEntity { PartitionKey = user, WindowStart = now };
        if (lockout.LastLockedAt is { } last && now - last > EscalationMemory)
        {
            lockout.Lockouts = 0;
        }

        if (lockout.Failures > 0 && now - lockout.WindowStart > settings.LockoutWindow)
        {
            lockout.Failures = 0;
        }

        if (lockout.Failures == 0)
        {
            lockout.WindowStart = now;
        }

        if (lockout.InFlight > 0 && now - lockout.InFlightSince > ReservationLifetime)
        {
            lockout.InFlight = 0;
        }

        return lockout;
    }

    /// <summary>
    /// Whether the row holds nothing <see cref="Current"/> would keep at <paramref name="now"/> or
    /// later: no lock in force, no failure inside its window, no reservation younger than
    /// <see cref="ReservationLifetime"/>, no lock-out the doubling still remembers. Such a row
    /// means the same as no row, so the cleanup may delete it.
    /// </summary>
    public static bool IsSpent(LockoutEntity lockout, DateTimeOffset now, AccountOptions settings) =>
        (lockout.LockedUntil is not { } until || until <= now)
        && (lockout.Failures == 0 || now - lockout.WindowStart > settings.LockoutWindow)
        && (lockout.InFlight == 0 || now - lockout.InFlightSince > ReservationLifetime)
        && (lockout.Lockouts == 0 || lockout.LastLockedAt is not { } last || now - last > EscalationMemory);

    private static Task Backoff(int attempt, CancellationToken cancellationToken) =>
        // Another writer changed the row at the same moment: read again and apply on top of it.
        Task.Delay(Random.Shared.Next(1, 10 + attempt * 5), cancellationToken);

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

    /// <summary>Password checks reserved and not yet settled.</summary>
    public int InFlight { get; set; }

    /// <summary>When the oldest reservation in flight was taken.</summary>
    public DateTimeOffset? InFlightSince { get; set; }
}
