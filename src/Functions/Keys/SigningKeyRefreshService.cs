using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Keys;

/// <summary>
/// Loads the keys at start-up and re-reads them every <see cref="SigningKeyOptions.RefreshInterval"/>,
/// so Key Vault is never called on the request path. After a failed read it retries sooner, with
/// exponential backoff from 1 s up to the refresh interval, and recovers by itself.
/// </summary>
public sealed class SigningKeyRefreshService(
    SigningKeyRing ring,
    IOptions<SigningKeyOptions> options,
    TimeProvider time,
    ILogger<SigningKeyRefreshService> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.RefreshInterval;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var reached = await ring.RefreshAsync(stoppingToken).ConfigureAwait(false);
            failures = reached ? 0 : failures + 1;
            var delay = NextDelay(failures, interval);
            if (!reached)
            {
                KeyLog.NextRefresh(logger, delay);
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

    /// <summary>The wait before the next read: the interval when healthy, 1 s, 2 s, 4 s ... capped by it after failures.</summary>
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
