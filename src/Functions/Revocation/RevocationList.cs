using System.Collections.Frozen;
using JwtFunctions.Endpoints;
using JwtFunctions.Hosting;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Revocation;

/// <summary>
/// Every instance's in-memory copy of the revocation table: revoked access-token ids, ended
/// sessions and raised user token generations. The Bearer middleware consults it on each request
/// without I/O; <see cref="RevocationRefreshService"/> reloads it in the background. Until the
/// first load succeeds nothing is accepted (fail closed); after that, an unreachable table leaves
/// the last copy in place. A revocation made here is in force here at once and stays so: a reload
/// that began before it was written keeps it (it may not have read it yet).
/// </summary>
public sealed class RevocationList
{
    private readonly Func<DateTimeOffset, CancellationToken, Task<RevocationSet>> _load;
    private readonly TimeProvider _time;
    private readonly ILogger<RevocationList> _logger;
    private readonly TaskCompletionSource _firstLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();

    // Revocations made on this instance, numbered in order, until a reload that started after
    // them has completed (from then on the table's copy holds them).
    private readonly List<(long Sequence, LocalRevocation Revocation)> _local = [];
    private long _sequence;
    private volatile Snapshot? _snapshot;

    public RevocationList(RevocationStore store, TimeProvider time, ILogger<RevocationList> logger)
        : this(store.LoadAsync, time, logger)
    {
    }

    internal RevocationList(Func<DateTimeOffset, CancellationToken, Task<RevocationSet>> load, TimeProvider time, ILogger<RevocationList> logger)
    {
        _load = load;
        _time = time;
        _logger = logger;
    }

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
            await _firstLoad.Task.WaitAsync(coldStartWait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        return _snapshot is not null;
    }

    /// <summary>Revoked by id, its session ended, or issued before the user's tokens were revoked as a whole.</summary>
    public bool IsRevoked(TokenPrincipal principal)
    {
        var snapshot = _snapshot;
        if (snapshot is null)
        {
            return true;
        }

        return snapshot.TokenIds.Contains(principal.TokenId)
            || snapshot.SessionIds.Contains(principal.SessionId)
            || (snapshot.Generations.TryGetValue(principal.Subject, out var generation) && principal.Generation < generation);
    }

    /// <summary>Takes effect on this instance at once; other instances see it at their next reload.</summary>
    public void AddLocal(string? tokenId = null, string? sessionId = null, string? user = null, long generation = 0)
    {
        var revocation = new LocalRevocation(tokenId, sessionId, user, generation);
        lock (_lock)
        {
            _local.Add((++_sequence, revocation));
            if (_snapshot is { } current)
            {
                _snapshot = current.With([revocation]);
            }
        }
    }

    /// <summary>Reloads from the table. <c>false</c> when it could not be read.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        long startedAfter;
        lock (_lock)
        {
            startedAfter = _sequence;
        }

        try
        {
            var loaded = await _load(_time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                // Local revocations up to startedAfter were written to the table before this load
                // began, so it holds them; later ones may be missing from it and are kept.
                _local.RemoveAll(entry => entry.Sequence <= startedAfter);
                _snapshot = Snapshot.From(loaded).With(_local.Select(entry => entry.Revocation));
            }

            _firstLoad.TrySetResult();
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            RevocationLog.LoadFailed(_logger, ex.GetType().Name, _snapshot is not null);
            return false;
        }
    }

    private sealed record LocalRevocation(string? TokenId, string? SessionId, string? User, long Generation);

    private sealed record Snapshot(FrozenSet<string> TokenIds, FrozenSet<string> SessionIds, FrozenDictionary<string, long> Generations)
    {
        public static Snapshot From(RevocationSet set) => new(
            set.TokenIds.ToFrozenSet(StringComparer.Ordinal),
            set.SessionIds.ToFrozenSet(StringComparer.Ordinal),
            set.Generations.ToFrozenDictionary(StringComparer.Ordinal));

        public Snapshot With(IEnumerable<LocalRevocation> revocations)
        {
            var list = revocations.ToList();
            if (list.Count == 0)
            {
                return this;
            }

            var generations = Generations.ToDictionary(StringComparer.Ordinal);
            foreach (var revocation in list)
            {
                if (revocation.User is { } user && (!generations.TryGetValue(user, out var known) || known < revocation.Generation))
                {
                    generations[user] = revocation.Generation;
                }
            }

            return new Snapshot(
                TokenIds.Union(list.Select(r => r.TokenId).OfType<string>()).ToFrozenSet(StringComparer.Ordinal),
                SessionIds.Union(list.Select(r => r.SessionId).OfType<string>()).ToFrozenSet(StringComparer.Ordinal),
                generations.ToFrozenDictionary(StringComparer.Ordinal));
        }
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
