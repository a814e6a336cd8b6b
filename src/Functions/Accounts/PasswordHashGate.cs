using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Accounts;

/// <summary>
/// At most <see cref="AccountOptions.MaxConcurrentPasswordHashes"/> password hashes run at once on
/// this instance, so a login burst cannot exhaust its memory (each Argon2id hash holds
/// <see cref="AccountOptions.Argon2MemoryKiB"/> while it runs) or queue unbounded CPU work. A caller
/// that finds every slot busy waits up to <see cref="AccountOptions.PasswordHashQueueTimeout"/>, then
/// gets <see cref="PasswordHashCapacityException"/>, which the exception middleware answers with
/// 503 <c>temporarily_unavailable</c> and <c>Retry-After</c>. Every hash of the request path takes a
/// slot — the dummy hash for unknown users included, so refusals cost the same under load too.
/// </summary>
public sealed class PasswordHashGate : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly TimeSpan _queueTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public PasswordHashGate(IOptions<AccountOptions> options, TimeProvider? time = null, ILogger<PasswordHashGate>? logger = null)
    {
        Limit = options.Value.MaxConcurrentPasswordHashes;
        _queueTimeout = options.Value.PasswordHashQueueTimeout;
        _slots = new SemaphoreSlim(Limit, Limit);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<PasswordHashGate>.Instance;
    }

    /// <summary>The number of slots.</summary>
    public int Limit { get; }

    /// <summary>Slots free right now.</summary>
    public int Available => _slots.CurrentCount;

    /// <summary>Takes a slot, waiting up to the queue timeout; dispose the result to give it back.</summary>
    public async ValueTask<Slot> EnterAsync(CancellationToken cancellationToken)
    {
        if (_slots.Wait(0, CancellationToken.None))
        {
            return new Slot(_slots);
        }

        if (_queueTimeout > TimeSpan.Zero)
        {
            using var timeout = new CancellationTokenSource(_queueTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            try
            {
                await _slots.WaitAsync(linked.Token).ConfigureAwait(false);
                return new Slot(_slots);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The queue timeout, not the caller, ended the wait: refused below.
            }
        }

        PasswordHashGateLog.Refused(_logger, Limit, _queueTimeout);
        throw new PasswordHashCapacityException();
    }

    public void Dispose() => _slots.Dispose();

    /// <summary>A taken slot; disposing it (once or more) frees the slot for the next waiter.</summary>
    public sealed class Slot : IDisposable
    {
        private SemaphoreSlim? _slots;

        internal Slot(SemaphoreSlim slots) => _slots = slots;

        public void Dispose() => Interlocked.Exchange(ref _slots, null)?.Release();
    }
}

/// <summary>Every password-hashing slot of this instance stayed busy for the whole queue timeout: answer 503.</summary>
public sealed class PasswordHashCapacityException : Exception
{
    public PasswordHashCapacityException()
        : base("Every password-hashing slot of this instance is busy; try again shortly.")
    {
    }

    public PasswordHashCapacityException(string message)
        : base(message)
    {
    }

    public PasswordHashCapacityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

internal static partial class PasswordHashGateLog
{
    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "Password hash refused: all {Limit} hashing slots stayed busy for {QueueTimeout}; answered 503")]
    public static partial void Refused(ILogger logger, int limit, TimeSpan queueTimeout);
}
