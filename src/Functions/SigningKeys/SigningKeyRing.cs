using System.Security.Cryptography;
using JwtFunctions.Hosting;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JwtFunctions.SigningKeys;

/// <summary>
/// The process-wide cache of signing keys. The request path only reads <see cref="Current"/>
/// (validation, JWKS) and <see cref="GetSigningKeysAsync"/> (issuing);
/// <see cref="SigningKeyRefreshService"/> calls <see cref="RefreshAsync"/> in the background.
/// Fails closed: a source that answers with a missing, weak or unresolved key empties the ring,
/// while a source that cannot be reached leaves the last good keys in place. A source that refuses
/// access (401 / 403) leaves them in place for <see cref="SigningKeyOptions.AccessDeniedGracePeriod"/>
/// only: then nothing is signed, and once every token signed before that could have expired
/// (access-token lifetime plus clock skew), nothing is accepted either. A version whose
/// <c>expires</c> has passed is dropped at that instant, on the next read, without a reload.
/// </summary>
public sealed class SigningKeyRing
{
    private readonly ISigningKeySource _source;
    private readonly TimeProvider _time;
    private readonly ILogger<SigningKeyRing> _logger;
    private readonly string _algorithm;
    private readonly int _minimumKeyBytes;
    private readonly TimeSpan _activationDelay;
    private readonly TimeSpan _accessDeniedGrace;
    private readonly TimeSpan _issuedTokensOutlive;
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SigningKeySet? _current;
    private volatile int _state = (int)SigningKeyRingState.Loading;

    /// <summary>Set from the first refused read until a read succeeds; <c>null</c> otherwise.</summary>
    private volatile AccessDenial? _denial;

    /// <summary>Parsed keys by source version, so a refresh reuses key objects instead of importing them again (versions are immutable).</summary>
    private Dictionary<string, (string Value, SigningKey Key)> _parsed = new(StringComparer.Ordinal);

    public SigningKeyRing(ISigningKeySource source, IOptions<JwtOptions> jwtOptions, TimeProvider time, ILogger<SigningKeyRing> logger)
        : this(source, jwtOptions, Options.Create(new SigningKeyOptions()), time, logger)
    {
    }

    public SigningKeyRing(ISigningKeySource source, IOptions<JwtOptions> jwtOptions, IOptions<SigningKeyOptions> keyOptions, TimeProvider time, ILogger<SigningKeyRing> logger)
    {
        _source = source;
        _time = time;
        _logger = logger;
        _algorithm = jwtOptions.Value.Algorithm;
        _minimumKeyBytes = JwtAlgorithms.IsHmac(_algorithm) ? JwtAlgorithms.MinimumKeyBytes(_algorithm) : 0;
        _activationDelay = keyOptions.Value.ActivationDelay;
        _accessDeniedGrace = keyOptions.Value.AccessDeniedGracePeriod;
        _issuedTokensOutlive = jwtOptions.Value.AccessTokenLifetime + jwtOptions.Value.ClockSkew;
    }

    /// <summary>
    /// The keys that validate and are published, or <c>null</c> when none may be used. Never holds
    /// a version whose <c>expires</c> has passed.
    /// </summary>
    public SigningKeySet? Current => Usable(_time.GetUtcNow());

    public SigningKeyRingState State => (SigningKeyRingState)_state;

    public string SourceName => _source.Name;

    /// <summary>Whether a token may be signed now: <see cref="GetSigningKeysAsync"/> would return keys.</summary>
    public bool CanIssue => Signable(_time.GetUtcNow()) is not null;

    /// <summary>
    /// While the source refuses access and keys are cached: when issuing with them stops (or
    /// stopped); else <c>null</c> (with nothing cached, nothing was ever issued under the refusal).
    /// </summary>
    public DateTimeOffset? IssuingStopsAt => Volatile.Read(ref _current) is not null ? _denial?.IssuingStopsAt : null;

    /// <summary>
    /// The keys for validation and the JWKS, waiting (at most <paramref name="coldStartWait"/>) for
    /// the first load when a request arrives before it finished. Once warm this returns
    /// synchronously with no I/O.
    /// </summary>
    public async ValueTask<SigningKeySet?> GetAsync(TimeSpan coldStartWait, CancellationToken cancellationToken)
    {
        await WaitForFirstLoadAsync(coldStartWait, cancellationToken).ConfigureAwait(false);
        return Current;
    }

    /// <summary>
    /// The keys to issue with (sign with their <see cref="SigningKeySet.Current"/>), or <c>null</c>
    /// when nothing may be signed now: no usable key, or the source has refused access for longer
    /// than the grace period. Waits for the first load like <see cref="GetAsync"/>.
    /// </summary>
    public async ValueTask<SigningKeySet?> GetSigningKeysAsync(TimeSpan coldStartWait, CancellationToken cancellationToken)
    {
        await WaitForFirstLoadAsync(coldStartWait, cancellationToken).ConfigureAwait(false);
        return Signable(_time.GetUtcNow());
    }

    /// <summary>The keys to issue with at <paramref name="now"/>, without waiting; <c>null</c> when nothing may be signed.</summary>
    public SigningKeySet? SigningKeysAt(DateTimeOffset now) => Signable(now);

    private async ValueTask WaitForFirstLoadAsync(TimeSpan coldStartWait, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _current) is not null || _firstAttempt.Task.IsCompleted)
        {
            return;
        }

        try
        {
            await _firstAttempt.Task.WaitAsync(coldStartWait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    /// <summary>The loaded set without expired versions, unless access was refused for too long to accept anything.</summary>
    private SigningKeySet? Usable(DateTimeOffset now)
    {
        var keys = Volatile.Read(ref _current);
        if (keys is not null && keys.FirstExpiry <= now)
        {
            keys = DropExpired(keys, now);
        }

        if (keys is not null && _denial is { } denial && now >= denial.AcceptingStopsAt)
        {
            if (Interlocked.Exchange(ref denial.AcceptingStopLogged, 1) == 0)
            {
                KeyLog.AcceptingStopped(_logger, _source.Name, denial.Since, denial.AcceptingStopsAt);
            }

            return null;
        }

        return keys;
    }

    private SigningKeySet? Signable(DateTimeOffset now)
    {
        var keys = Usable(now);
        if (keys is not null && _denial is { } denial && now >= denial.IssuingStopsAt)
        {
            if (Interlocked.Exchange(ref denial.IssuingStopLogged, 1) == 0)
            {
                KeyLog.IssuingStopped(_logger, _source.Name, denial.Since, _accessDeniedGrace, denial.AcceptingStopsAt);
            }

            return null;
        }

        return keys;
    }

    /// <summary>
    /// Replaces <paramref name="keys"/> by the same set without the versions expired at
    /// <paramref name="now"/>, the signer chosen again among the rest as a reload would; <c>null</c>
    /// (fail closed) when none is left.
    /// </summary>
    private SigningKeySet? DropExpired(SigningKeySet keys, DateTimeOffset now)
    {
        while (true)
        {
            var live = keys.Keys.Where(k => k.ExpiresOn is null || k.ExpiresOn > now).ToList();
            var pruned = live.Count == 0 ? null : new SigningKeySet(live, keys.LoadedAt, ChooseSigner(live, now));
            var seen = Interlocked.CompareExchange(ref _current, pruned, keys);
            if (ReferenceEquals(seen, keys))
            {
                foreach (var expired in keys.Keys.Where(k => !live.Contains(k)))
                {
                    KeyLog.VersionExpired(_logger, expired.VersionId, expired.KeyId, expired.ExpiresOn!.Value);
                }

                if (pruned is null)
                {
                    // A refused or failed read stays the reported cause; a refresh that loaded meanwhile wins.
                    var state = _state;
                    if (state is (int)SigningKeyRingState.Ready or (int)SigningKeyRingState.Degraded && Volatile.Read(ref _current) is null)
                    {
                        Interlocked.CompareExchange(ref _state, (int)SigningKeyRingState.Expired, state);
                    }

                    KeyLog.AllVersionsExpired(_logger, _source.Name);
                }
                else if (pruned.Current.KeyId != keys.Current.KeyId)
                {
                    KeyLog.SignerReplaced(_logger, pruned.Current.KeyId, live.Count);
                }

                return pruned;
            }

            // A refresh or another reader replaced the set meanwhile: prune that one if it needs it.
            if (seen is null || seen.FirstExpiry > now)
            {
                return seen;
            }

            keys = seen;
        }
    }

    /// <summary>Reads the source once. Returns <c>false</c> when the source could not be reached.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<SigningKeyVersion> versions;
        try
        {
            versions = await _source.LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SigningKeyAccessDeniedException ex)
        {
            // Kept from the first refusal: retries and outages in between do not extend the grace.
            var now = _time.GetUtcNow();
            var denial = _denial ??= new AccessDenial(now, now + _accessDeniedGrace, now + _accessDeniedGrace + _issuedTokensOutlive);
            _state = (int)SigningKeyRingState.AccessDenied;
            if (Volatile.Read(ref _current) is not null)
            {
                KeyLog.AccessDenied(_logger, _source.Name, ex.Status, denial.IssuingStopsAt);
            }
            else
            {
                KeyLog.AccessDeniedNothingCached(_logger, _source.Name, ex.Status);
            }

            _firstAttempt.TrySetResult();
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Only the exception type is logged: Azure SDK messages can echo request details.
            var keepServing = Volatile.Read(ref _current) is not null;
            _state = (int)(_denial is not null ? SigningKeyRingState.AccessDenied
                : keepServing ? SigningKeyRingState.Degraded : SigningKeyRingState.Unavailable);
            KeyLog.SourceUnreachable(_logger, _source.Name, ex.GetType().Name, keepServing);
            _firstAttempt.TrySetResult();
            return false;
        }

        if (_denial is not null)
        {
            _denial = null;
            KeyLog.AccessRestored(_logger, _source.Name);
        }

        Apply(versions);
        _firstAttempt.TrySetResult();
        return true;
    }

    private void Apply(IReadOnlyList<SigningKeyVersion> listed)
    {
        // The source leaves out expired versions; one that expired since it read them is left out here.
        var loadedAt = _time.GetUtcNow();
        var newestFirst = listed.Where(v => v.ExpiresOn is null || v.ExpiresOn > loadedAt).ToList();
        if (newestFirst.Count == 0)
        {
            FailClosed(SigningKeyProblem.Missing, kid: "(none)");
            return;
        }

        var keys = new List<SigningKey>(newestFirst.Count);
        var parsed = new Dictionary<string, (string Value, SigningKey Key)>(StringComparer.Ordinal);
        for (var i = 0; i < newestFirst.Count; i++)
        {
            var version = newestFirst[i];
            var problem = Parse(version, out var key);
            if (problem != SigningKeyProblem.None)
            {
                if (i == 0)
                {
                    // The newest version is what we would sign with: never fall back to an older
                    // key silently, and never use a weak one. Stop issuing and accepting instead.
                    FailClosed(problem, version.KeyId);
                    return;
                }

                KeyLog.VersionSkipped(_logger, version.KeyId, Describe(problem));
                continue;
            }

            parsed[version.KeyId] = (version.Value!, key!);

            // Two versions holding the same key have the same thumbprint kid: publish it once.
            if (!keys.Exists(k => k.KeyId == key!.KeyId))
            {
                keys.Add(key!);
            }
        }

        _parsed = parsed;
        var signer = ChooseSigner(keys, loadedAt);
        var previous = Volatile.Read(ref _current);
        Volatile.Write(ref _current, new SigningKeySet(keys, loadedAt, signer));
        _state = (int)SigningKeyRingState.Ready;
        if (previous is null || previous.Current.KeyId != signer.KeyId || previous.Keys.Count != keys.Count)
        {
            KeyLog.KeysLoaded(_logger, _source.Name, signer.KeyId, keys.Count);
        }
    }

    /// <summary>
    /// The newest version that has been published for the activation delay; when none has (a first
    /// key, or several added within the delay), the oldest, which verifiers have had the longest.
    /// </summary>
    private SigningKey ChooseSigner(List<SigningKey> newestFirst, DateTimeOffset now)
    {
        if (_activationDelay <= TimeSpan.Zero)
        {
            return newestFirst[0];
        }

        foreach (var key in newestFirst)
        {
            if (key.CreatedOn is null || key.CreatedOn + _activationDelay <= now)
            {
                return key;
            }
        }

        return newestFirst[^1];
    }

    private SigningKeyProblem Parse(SigningKeyVersion version, out SigningKey? key)
    {
        if (_parsed.TryGetValue(version.KeyId, out var known) && string.Equals(known.Value, version.Value, StringComparison.Ordinal))
        {
            key = known.Key;
            return SigningKeyProblem.None;
        }

        key = null;
        if (JwtAlgorithms.IsHmac(_algorithm))
        {
            var problem = SigningKeyParser.TryParse(version.Value, _minimumKeyBytes, out var material);
            if (problem == SigningKeyProblem.None)
            {
                key = new SigningKey(version.KeyId, material, version.ExpiresOn);
            }

            return problem;
        }

        var asymmetricProblem = SigningKeyParser.TryParsePrivateKey(version.Value, _algorithm, out var privateKey);
        key = privateKey switch
        {
            ECDsa ecdsa => SigningKey.FromEcdsa(ecdsa, version.KeyId, version.CreatedOn, version.ExpiresOn),
            RSA rsa => SigningKey.FromRsa(rsa, version.KeyId, version.CreatedOn, version.ExpiresOn),
            _ => null,
        };
        return asymmetricProblem;
    }

    private string Describe(SigningKeyProblem problem) => JwtAlgorithms.IsHmac(_algorithm)
        ? SigningKeyParser.Describe(problem, _minimumKeyBytes)
        : SigningKeyParser.DescribePrivateKey(problem, _algorithm);

    private void FailClosed(SigningKeyProblem problem, string kid)
    {
        Volatile.Write(ref _current, null);
        _parsed = new(StringComparer.Ordinal);
        _state = (int)SigningKeyRingState.Invalid;
        KeyLog.KeyRejected(_logger, _source.Name, kid, Describe(problem));
    }
}

/// <summary>A run of refused reads: when it began, when issuing and then accepting stop.</summary>
internal sealed class AccessDenial(DateTimeOffset since, DateTimeOffset issuingStopsAt, DateTimeOffset acceptingStopsAt)
{
    public DateTimeOffset Since { get; } = since;

    public DateTimeOffset IssuingStopsAt { get; } = issuingStopsAt;

    public DateTimeOffset AcceptingStopsAt { get; } = acceptingStopsAt;

    /// <summary>1 once the stop of issuing was logged (one line per denial, not one per request).</summary>
    public int IssuingStopLogged;

    public int AcceptingStopLogged;
}

/// <summary>What health reports about the signing keys.</summary>
public enum SigningKeyRingState
{
    /// <summary>Nothing loaded yet (cold start, source not answered yet).</summary>
    Loading = 0,

    /// <summary>Keys loaded and the last refresh succeeded.</summary>
    Ready,

    /// <summary>Serving with the last good keys because the last refresh could not reach the source.</summary>
    Degraded,

    /// <summary>The source answered with no usable key: nothing is issued or accepted (fail closed).</summary>
    Invalid,

    /// <summary>No key was ever loaded because the source could not be reached.</summary>
    Unavailable,

    /// <summary>
    /// The source refused access (401 / 403): cached keys, if any, sign until
    /// <see cref="SigningKeyRing.IssuingStopsAt"/>, then nothing is issued.
    /// </summary>
    AccessDenied,

    /// <summary>Every cached version reached its <c>expires</c> before a reload: nothing is issued or accepted.</summary>
    Expired,
}

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

/// <summary>Log lines of the key ring. None of them carries key material.</summary>
internal static partial class KeyLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Signing keys loaded from {Source}: signing with kid {KeyId}, {Count} version(s) accepted")]
    public static partial void KeysLoaded(ILogger logger, string source, string keyId, int count);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Signing key from {Source} refused (kid {KeyId}): {Reason}. No token will be issued or accepted until this is fixed")]
    public static partial void KeyRejected(ILogger logger, string source, string keyId, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Signing key version {KeyId} ignored: {Reason}")]
    public static partial void VersionSkipped(ILogger logger, string keyId, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Signing key source {Source} could not be reached ({ErrorType}); serving with cached keys: {KeepServing}")]
    public static partial void SourceUnreachable(ILogger logger, string source, string errorType, bool keepServing);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Using the signing key from the SigningKeys:LocalKey setting because SigningKeys:VaultUri is not set. This is for local development only; set SigningKeys__VaultUri in Azure")]
    public static partial void UsingLocalKey(ILogger logger);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Next signing key refresh in {Delay}")]
    public static partial void NextRefresh(ILogger logger, TimeSpan delay);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Error, Message = "Signing key source {Source} refused access (HTTP {Status}); cached keys sign until {IssuingStopsAt:O}, then no token is issued until access is restored (grant the app's identity the Key Vault Secrets User role on the vault, or a get/list secret access policy)")]
    public static partial void AccessDenied(ILogger logger, string source, int status, DateTimeOffset issuingStopsAt);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Error, Message = "No token is issued: signing key source {Source} has refused access since {Since:O}, longer than SigningKeys:AccessDeniedGracePeriod ({Grace}). Tokens already issued are accepted until {AcceptingStopsAt:O}")]
    public static partial void IssuingStopped(ILogger logger, string source, DateTimeOffset since, TimeSpan grace, DateTimeOffset acceptingStopsAt);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Error, Message = "No token is accepted: signing key source {Source} has refused access since {Since:O}, and every token issued before issuing stopped has expired by {AcceptingStopsAt:O}")]
    public static partial void AcceptingStopped(ILogger logger, string source, DateTimeOffset since, DateTimeOffset acceptingStopsAt);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Signing key source {Source} allows access again")]
    public static partial void AccessRestored(ILogger logger, string source);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Signing key version {VersionId} (kid {KeyId}) expired at {ExpiresOn:O}: it no longer signs, validates or is published")]
    public static partial void VersionExpired(ILogger logger, string versionId, string keyId, DateTimeOffset expiresOn);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Error, Message = "Every signing key version from {Source} has expired: no token will be issued or accepted until the source holds an unexpired version")]
    public static partial void AllVersionsExpired(ILogger logger, string source);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Warning, Message = "The signing key version expired: signing with kid {KeyId} now, {Count} version(s) accepted")]
    public static partial void SignerReplaced(ILogger logger, string keyId, int count);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Error, Message = "Signing key source {Source} refused access (HTTP {Status}) and no key is cached: no token is issued or accepted until access is granted (the Key Vault Secrets User role on the vault, or a get/list secret access policy, for the app's identity)")]
    public static partial void AccessDeniedNothingCached(ILogger logger, string source, int status);
}
