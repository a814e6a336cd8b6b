using System.Collections.Concurrent;
using System.Text;

namespace JwtFunctions.FunctionsHost;

/// <summary>
/// Writes the host's log lines to standard output (and its error lines to standard error) from one
/// background thread, in the order they were written, flushing when the queue runs empty. A request
/// thread only enqueues its <c>Executed ...</c> line instead of taking the console lock and making a
/// write system call per invocation.
/// </summary>
/// <remarks>
/// Writers never wait: the HTTP response path runs on the worker channel's read loop (see
/// WorkerChannel.InvokeAsync), so an output nobody reads must not stall every invocation. When the
/// queue is full, lines are dropped and counted, and the count is written once output moves again.
/// A failing output (a closed pipe, a full disk) stops the writer; the host keeps serving.
/// <see cref="Dispose"/> writes what is queued before it returns.
/// </remarks>
internal sealed class ConsoleLineWriter : IDisposable
{
    private const int Capacity = 10_000;

    private readonly BlockingCollection<(bool Error, string Text)> _lines = new(Capacity);
    private readonly Thread _thread;
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private long _dropped;
    private volatile bool _broken;
    private bool _lastWasError; // only touched by the writer thread

    public ConsoleLineWriter()
    {
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        _output = new StreamWriter(Console.OpenStandardOutput(), utf8) { AutoFlush = false };
        _error = new StreamWriter(Console.OpenStandardError(), utf8) { AutoFlush = false };
        _thread = new Thread(Run) { IsBackground = true, Name = "Console log writer" };
        _thread.Start();
    }

    public void WriteLine(string line) => Enqueue(false, line);

    /// <summary>A line for standard error, written after every line queued before it.</summary>
    public void WriteErrorLine(string line) => Enqueue(true, line);

    public void Dispose()
    {
        _lines.CompleteAdding();
        _thread.Join();
        _lines.Dispose();
    }

    private void Enqueue(bool error, string line)
    {
        if (_broken)
        {
            return;
        }

        try
        {
            if (!_lines.TryAdd((error, line)))
            {
                Interlocked.Increment(ref _dropped);
            }
        }
        catch (InvalidOperationException)
        {
            // After Dispose (the process is exiting): nothing reads the queue any more.
        }
    }

    private void Run()
    {
        try
        {
            foreach (var line in _lines.GetConsumingEnumerable())
            {
                Write(line);
                while (_lines.TryTake(out var next))
                {
                    Write(next);
                }

                if (Interlocked.Exchange(ref _dropped, 0) is var dropped and > 0)
                {
                    _error.WriteLine($"warn: {dropped} log line(s) dropped: the output was not being read fast enough.");
                }

                _output.Flush();
                _error.Flush();
            }
        }
        catch (IOException)
        {
            // The output is gone; stop writing rather than take the host down.
            _broken = true;
        }
    }

    private void Write((bool Error, string Text) line)
    {
        // Switching streams: flush the other one first, so that with 2>&1 the lines keep their order.
        if (line.Error != _lastWasError)
        {
            (line.Error ? _output : _error).Flush();
            _lastWasError = line.Error;
        }

        (line.Error ? _error : _output).WriteLine(line.Text);
    }
}
