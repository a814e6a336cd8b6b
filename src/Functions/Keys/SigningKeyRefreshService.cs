using JwtFunctions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Keys;

/// <summary>
/// Loads the keys at start-up and re-reads them every <see cref="SigningKeyOptions.RefreshInterval"/>,
/// so Key Vault is never called on the request path; backs off and retries after failures.
/// </summary>
public sealed class SigningKeyRefreshService(
    SigningKeyRing ring,
    IOptions<SigningKeyOptions> options,
    TimeProvider time,
    ILogger<SigningKeyRefreshService> logger) : PeriodicRefreshService(time)
{
    protected override TimeSpan Interval => options.Value.RefreshInterval;

    protected override Task<bool> RefreshOnceAsync(CancellationToken cancellationToken) => ring.RefreshAsync(cancellationToken);

    protected override void OnRetryScheduled(TimeSpan delay) => KeyLog.NextRefresh(logger, delay);
}
