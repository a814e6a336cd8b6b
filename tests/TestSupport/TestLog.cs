using System.Collections.Concurrent;
using Xunit.Abstractions;

namespace JwtFunctions.TestSupport;

/// <summary>
/// Host, worker and Azurite output: written to the output of the test that is running (tests in a
/// collection run one at a time) and kept as a tail for error messages.
/// </summary>
public sealed class TestLog
{
    private readonly ConcurrentQueue<string> _tail = new();
    private volatile ITestOutputHelper? _current;

    public void Attach(ITestOutputHelper? output) => _current = output;

    public void Write(string line)
    {
        _tail.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
        while (_tail.Count > 400 && _tail.TryDequeue(out _))
        {
        }

        try
        {
            _current?.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test that owned the output has finished.
        }
    }

    public string Tail(int lines = 120) => string.Join(Environment.NewLine, _tail.TakeLast(lines));
}
