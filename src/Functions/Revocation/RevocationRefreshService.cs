using JwtFunctions.Hosting;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Revocation;

/// <summary>Reloads <see cref="RevocationList"/> at start-up and every <see cref="RevocationOptions.RefreshInterval"/>.</summary>
public sealed class RevocationRefreshService(RevocationList list, IOptions<RevocationOptions> options, TimeProvider time) : PeriodicRefreshService(time)
{
    protected override TimeSpan Interval => options.Value.RefreshInterval;

    protected override Task<bool> RefreshOnceAsync(CancellationToken cancellationToken) => list.RefreshAsync(cancellationToken);
}
