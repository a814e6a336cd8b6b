using System.Collections.Frozen;
using JwtFunctions.Endpoints;
using JwtFunctions.Hosting;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Revocation;

/// <summary>
/// Every instance's in-memory copy of the revocation table: revoked access-token ids and raised
/// user token generations. The Bearer middleware consults it on each request without I/O;
/// <see cref="RevocationRefreshService"/> reloads it in the background. Until the first load
/// succeeds nothing is accepted (fail closed); after that, an unreachable table leaves the last
/// copy in place.
/// </summary>
public sealed class RevocationList(RevocationStore store, TimeProvider time, ILogger<RevocationList> logger)
{
    private readonly TaskCompletionSource _firstLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _localLock = new();
    private volatile Snapshot? _snapshot;

    public bool IsLoaded => _snapshot is not null;

    /// <summary>Whether the list can be consulted, waiting at most <paramref name="coldStartWait"/> for the first load.</summary>
    public async ValueTask<bool> EnsureLoadedAsync(TimeSpan coldStartWait, CancellationToken cancellationToken)
    {
        if (_snapshot is not null)
        {
            return true;
        }

        try
        {
            await _firstLoad.Task.WaitAsync(coldStartWait, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        return _snapshot is not null;
    }

    /// <summary>Revoked by id, or issued before the user's tokens were revoked as a whole.</summary>
    public bool IsRevoked(TokenPrincipal principal)
    {
        var snapshot = _snapshot;
        if (snapshot is null)
        {
            return true;
        }

        return snapshot.TokenIds.Contains(principal.TokenId)
            || (snapshot.Generations.TryGetValue(principal.Subject, out var generation) && principal.Generation < generation);
    }

    /// <summary>Takes effect on this instance at once; other instances see it at their next reload.</summary>
    public void AddLocal(string? tokenId = null, string? user = null, long generation = 0)
    {
        lock (_localLock)
        {
            var current = _snapshot ?? Snapshot.Empty;
            var tokenIds = tokenId is null ? current.TokenIds : current.TokenIds.Append(tokenId).ToFrozenSet(StringComparer.Ordinal);
            var generations = current.Generations;
            if (user is not null && (!generations.TryGetValue(user, out var known) || known < generation))
            {
                var copy = generations.ToDictionary(StringComparer.Ordinal);
                copy[user] = generation;
                generations = copy.ToFrozenDictionary(StringComparer.Ordinal);
            }

            if (_snapshot is not null)
            {
                _snapshot = new Snapshot(tokenIds, generations);
            }
        }
    }

    /// <summary>Reloads from the table. <c>false</c> when it could not be read.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            var (tokenIds, generations) = await store.LoadAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            lock (_localLock)
            {
                _snapshot = new Snapshot(tokenIds.ToFrozenSet(StringComparer.Ordinal), generations.ToFrozenDictionary(StringComparer.Ordinal));
            }

            _firstLoad.TrySetResult();
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            RevocationLog.LoadFailed(logger, ex.GetType().Name, _snapshot is not null);
            return false;
        }
    }

    private sealed record Snapshot(FrozenSet<string> TokenIds, FrozenDictionary<string, long> Generations)
    {
        public static readonly Snapshot Empty = new(FrozenSet<string>.Empty, FrozenDictionary<string, long>.Empty);
    }
}

/// <summary>Reloads <see cref="RevocationList"/> at start-up and every <see cref="RevocationOptions.RefreshInterval"/>.</summary>
public sealed class RevocationRefreshService(RevocationList list, IOptions<RevocationOptions> options, TimeProvider time) : PeriodicRefreshService(time)
{
    protected override TimeSpan Interval => options.Value.RefreshInterval;

    protected override Task<bool> RefreshOnceAsync(CancellationToken cancellationToken) => list.RefreshAsync(cancellationToken);
}

internal static partial class RevocationLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Revocation list could not be loaded ({ErrorType}); serving with the last copy: {KeepServing}")]
    public static partial void LoadFailed(ILogger logger, string errorType, bool keepServing);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Access token {TokenId} of {User} revoked")]
    public static partial void AccessTokenRevoked(ILogger logger, string tokenId, string user);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Every token of {User} revoked (generation {Generation}, {Families} session(s))")]
    public static partial void UserTokensRevoked(ILogger logger, string user, long generation, int families);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Refresh session {SessionId} of {User} revoked")]
    public static partial void SessionRevoked(ILogger logger, string sessionId, string user);
}
