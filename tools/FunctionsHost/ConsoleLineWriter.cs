using System.Collections.Concurrent;
using System.Text;

namespace JwtFunctions.FunctionsHost;

/// <summary>
/// Writes the host's log lines to standard output from one background thread, in order, flushing
/// when the queue runs empty. A request thread only enqueues its <c>Executed ...</c> line instead
/// of taking the console lock and making a write system call per invocation (as the console
/// logger of Microsoft.Extensions.Logging does). When the queue is full, callers wait, so nothing
/// is dropped. <see cref="Dispose"/> writes what is queued before it returns.
/// </summary>
internal sealed class ConsoleLineWriter : IDisposable
{
    private const int Capacity = 10_000;

    private readonly BlockingCollection<string> _lines = new(Capacity);
    private readonly Thread _thread;
    private readonly TextWriter _output;

    public ConsoleLineWriter()
    {
        _output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = false };
        _thread = new Thread(Run) { IsBackground = true, Name = "Console log writer" };
        _thread.Start();
    }

    public void WriteLine(string line)
    {
        try
        {
            _lines.Add(line);
        }
        catch (InvalidOperationException)
        {
            // After Dispose (the host is stopping): write it directly rather than lose it.
            lock (_output)
            {
                _output.WriteLine(line);
                _output.Flush();
            }
        }
    }

    public void Dispose()
    {
        _lines.CompleteAdding();
        _thread.Join();
        _lines.Dispose();
    }

    private void Run()
    {
        foreach (var line in _lines.GetConsumingEnumerable())
        {
            lock (_output)
            {
                _output.WriteLine(line);
                while (_lines.TryTake(out var next))
                {
                    _output.WriteLine(next);
                }

                _output.Flush();
            }
        }
    }
}
