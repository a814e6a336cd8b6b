using Microsoft.Extensions.Hosting;

namespace JwtFunctions.Hosting;

/// <summary>
/// Runs <see cref="RefreshOnceAsync"/> at start-up and then every <see cref="Interval"/>, so the
/// cached state it keeps is never loaded on the request path. After a failed run it retries
/// sooner, with exponential backoff from 1 s up to the interval, and recovers by itself.
/// </summary>
public abstract class PeriodicRefreshService(TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);

    protected abstract TimeSpan Interval { get; }

    /// <summary>One refresh; <c>false</c> when the source could not be reached.</summary>
    protected abstract Task<bool> RefreshOnceAsync(CancellationToken cancellationToken);

    /// <summary>Told the wait before the next try after a failure.</summary>
    protected virtual void OnRetryScheduled(TimeSpan delay)
    {
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var reached = await RefreshOnceAsync(stoppingToken).ConfigureAwait(false);
            failures = reached ? 0 : failures + 1;
            var delay = NextDelay(failures, Interval);
            if (!reached)
            {
                OnRetryScheduled(delay);
            }

            try
            {
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The wait before the next run: the interval when healthy, 1 s, 2 s, 4 s ... capped by it after failures.</summary>
    public static TimeSpan NextDelay(int consecutiveFailures, TimeSpan interval)
    {
        if (consecutiveFailures <= 0)
        {
            return interval;
        }

        var backoff = FirstRetry * Math.Pow(2, Math.Min(consecutiveFailures - 1, 16));
        return backoff < interval ? backoff : interval;
    }
}
