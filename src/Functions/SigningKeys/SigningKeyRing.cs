using System.Security.Cryptography;
using JwtFunctions.Hosting;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JwtFunctions.SigningKeys;

/// <summary>
/// The process-wide cache of signing keys. The request path only reads <see cref="Current"/>;
/// <see cref="SigningKeyRefreshService"/> calls <see cref="RefreshAsync"/> in the background.
/// Fails closed: a source that answers with a missing, weak or unresolved key empties the ring,
/// while a source that cannot be reached leaves the last good keys in place.
/// </summary>
public sealed class SigningKeyRing
{
    private readonly ISigningKeySource _source;
    private readonly TimeProvider _time;
    private readonly ILogger<SigningKeyRing> _logger;
    private readonly string _algorithm;
    private readonly int _minimumKeyBytes;
    private readonly TimeSpan _activationDelay;
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile SigningKeySet? _current;
    private volatile int _state = (int)SigningKeyRingState.Loading;

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
    }

    /// <summary>The usable keys, or <c>null</c> when none may be used.</summary>
    public SigningKeySet? Current => _current;

    public SigningKeyRingState State => (SigningKeyRingState)_state;

    public string SourceName => _source.Name;

    /// <summary>
    /// The keys, waiting (at most <paramref name="coldStartWait"/>) for the first load when a request
    /// arrives before it finished. Once warm this returns synchronously with no I/O.
    /// </summary>
    public async ValueTask<SigningKeySet?> GetAsync(TimeSpan coldStartWait, CancellationToken cancellationToken)
    {
        var keys = _current;
        if (keys is not null || _firstAttempt.Task.IsCompleted)
        {
            return keys;
        }

        try
        {
            await _firstAttempt.Task.WaitAsync(coldStartWait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        return _current;
    }

    /// <summary>Reads the source once. Returns <c>false</c> when the source could not be reached.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<SigningKeyVersion> versions;
        try
        {
            versions = await _source.LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Only the exception type is logged: Azure SDK messages can echo request details.
            var keepServing = _current is not null;
            _state = (int)(keepServing ? SigningKeyRingState.Degraded : SigningKeyRingState.Unavailable);
            KeyLog.SourceUnreachable(_logger, _source.Name, ex.GetType().Name, keepServing);
            _firstAttempt.TrySetResult();
            return false;
        }

        Apply(versions);
        _firstAttempt.TrySetResult();
        return true;
    }

    private void Apply(IReadOnlyList<SigningKeyVersion> newestFirst)
    {
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
        var signer = ChooseSigner(keys, _time.GetUtcNow());
        var previous = _current;
        _current = new SigningKeySet(keys, _time.GetUtcNow(), signer);
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
        _current = null;
        _parsed = new(StringComparer.Ordinal);
        _state = (int)SigningKeyRingState.Invalid;
        KeyLog.KeyRejected(_logger, _source.Name, kid, Describe(problem));
    }
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
}
