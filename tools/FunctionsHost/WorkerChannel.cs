using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using JwtFunctions.FunctionsHost.Rpc;
using Microsoft.Extensions.Logging;

namespace JwtFunctions.FunctionsHost;

/// <summary>
/// The host's end of one worker's <c>FunctionRpc/EventStream</c>: a single writer loop for the
/// host's messages, and correlation of the worker's answers (by request id, and by invocation id
/// for invocations).
/// </summary>
internal sealed class WorkerChannel
{
    private readonly string _workerId;
    private readonly Action<LogLevel, string> _log;
    private readonly LogLevel _minimumWorkerLogLevel;
    // Synchronous continuations: when the writer loop is idle, the sender's thread writes the
    // message itself instead of queueing the loop to the thread pool. One hop less per invocation
    // (a measurable share of the latency of a single connection); writes stay serialized, since
    // there is still one reader of this channel.
    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _requests = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<InvocationResponse>> _invocations = new();
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _streamCount;

    public WorkerChannel(string workerId, Action<LogLevel, string> log, LogLevel minimumWorkerLogLevel)
    {
        _workerId = workerId;
        _log = log;
        _minimumWorkerLogLevel = minimumWorkerLogLevel;
    }

    /// <summary>Completes when the worker has opened its stream and sent StartStream.</summary>
    public Task Connected => _connected.Task;

    /// <summary>Completes when the worker's stream has ended (the worker exited or hung up).</summary>
    public Task Disconnected => _disconnected.Task;

    public async Task RunStreamAsync(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        var cancellation = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellation).ConfigureAwait(false))
        {
            return;
        }

        var first = requestStream.Current;
        if (first.ContentCase != StreamingMessage.ContentOneofCase.StartStream || first.StartStream.WorkerId != _workerId)
        {
            _log(LogLevel.Warning, $"Rejected a gRPC stream that did not start with StartStream for worker '{_workerId}' (got {first.ContentCase}).");
            return;
        }

        if (Interlocked.Increment(ref _streamCount) != 1)
        {
            _log(LogLevel.Warning, "Rejected a second event stream from the same worker.");
            return;
        }

        using var writerStop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var writer = WriteLoopAsync(responseStream, writerStop.Token);
        _connected.TrySetResult();
        try
        {
            while (await requestStream.MoveNext(cancellation).ConfigureAwait(false))
            {
                Dispatch(requestStream.Current);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or Grpc.Core.RpcException or InvalidOperationException)
        {
            // The worker went away or the host is stopping.
        }
        finally
        {
            _disconnected.TrySetResult();
            FailPending(new WorkerUnavailableException("The worker's event stream has ended."));
            writerStop.Cancel();
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task WriteLoopAsync(IServerStreamWriter<StreamingMessage> responseStream, CancellationToken cancellation)
    {
        try
        {
            await foreach (var message in _outbound.Reader.ReadAllAsync(cancellation).ConfigureAwait(false))
            {
                await responseStream.WriteAsync(message, cancellation).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or Grpc.Core.RpcException)
        {
            _log(LogLevel.Debug, $"Writing to the worker failed: {e.Message}");
        }
    }

    /// <summary>Sends a request and waits for the worker's answer with the same request id.</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage message, CancellationToken cancellation)
    {
        message.RequestId = Guid.NewGuid().ToString();
        var pending = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests[message.RequestId] = pending;
        try
        {
            Send(message);
            return await pending.Task.WaitAsync(cancellation).ConfigureAwait(false);
        }
        finally
        {
            _requests.TryRemove(message.RequestId, out _);
        }
    }

    public async Task<InvocationResponse> InvokeAsync(InvocationRequest invocation, CancellationToken cancellation)
    {
        // Synchronous continuations: the read loop that receives the InvocationResponse goes on to
        // write the HTTP response itself (async all the way, so it yields at the first write that
        // has to wait), instead of queueing it to the thread pool: one hop less per invocation.
        var pending = new TaskCompletionSource<InvocationResponse>();
        _invocations[invocation.InvocationId] = pending;
        try
        {
            using var registration = cancellation.Register(static state => ((TaskCompletionSource<InvocationResponse>)state!).TrySetCanceled(), pending);
            Send(new StreamingMessage { RequestId = Guid.NewGuid().ToString(), InvocationRequest = invocation });
            return await pending.Task.ConfigureAwait(false);
        }
        finally
        {
            _invocations.TryRemove(invocation.InvocationId, out _);
        }
    }

    public void Send(StreamingMessage message)
    {
        if (_disconnected.Task.IsCompleted || !_outbound.Writer.TryWrite(message))
        {
            throw new WorkerUnavailableException("The worker is not connected.");
        }
    }

    public void CompleteOutbound() => _outbound.Writer.TryComplete();

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.RpcLog:
                WriteWorkerLog(message.RpcLog);
                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                if (_invocations.TryGetValue(message.InvocationResponse.InvocationId, out var invocation))
                {
                    invocation.TrySetResult(message.InvocationResponse);
                }

                break;
            default:
                if (_requests.TryGetValue(message.RequestId, out var request))
                {
                    request.TrySetResult(message);
                }
                else
                {
                    _log(LogLevel.Debug, $"Ignored {message.ContentCase} from the worker (request id '{message.RequestId}').");
                }

                break;
        }
    }

    private void WriteWorkerLog(RpcLog log)
    {
        var level = log.Level switch
        {
            RpcLog.Types.Level.Trace => LogLevel.Trace,
            RpcLog.Types.Level.Debug => LogLevel.Debug,
            RpcLog.Types.Level.Information => LogLevel.Information,
            RpcLog.Types.Level.Warning => LogLevel.Warning,
            RpcLog.Types.Level.Error => LogLevel.Error,
            RpcLog.Types.Level.Critical => LogLevel.Critical,
            _ => LogLevel.None,
        };
        if (level == LogLevel.None || level < _minimumWorkerLogLevel)
        {
            return;
        }

        var text = $"[worker] {log.Category}: {log.Message}";
        if (log.Exception is { } exception && (exception.Message.Length > 0 || exception.StackTrace.Length > 0))
        {
            text += Environment.NewLine + exception.Message;
            if (exception.StackTrace.Length > 0 && !exception.Message.Contains(exception.StackTrace, StringComparison.Ordinal))
            {
                text += Environment.NewLine + exception.StackTrace;
            }
        }

        _log(level, text);
    }

    private void FailPending(Exception exception)
    {
        foreach (var pending in _requests.Values)
        {
            pending.TrySetException(exception);
        }

        foreach (var pending in _invocations.Values)
        {
            pending.TrySetException(exception);
        }
    }
}

internal sealed class WorkerUnavailableException(string message) : Exception(message);

/// <summary>The gRPC service the worker connects to; one host serves one worker.</summary>
internal sealed class FunctionRpcService(WorkerChannel channel) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
        => channel.RunStreamAsync(requestStream, responseStream, context);
}
