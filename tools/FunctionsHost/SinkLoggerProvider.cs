using Microsoft.Extensions.Logging;

namespace JwtFunctions.FunctionsHost;

/// <summary>Routes ASP.NET Core's own log messages (Kestrel, gRPC) to the host's log sink.</summary>
internal sealed class SinkLoggerProvider(Action<LogLevel, string> log, LogLevel minimum) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new SinkLogger(log, minimum, categoryName);

    public void Dispose()
    {
    }

    private sealed class SinkLogger(Action<LogLevel, string> log, LogLevel minimum, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log(logLevel, $"[host] {category}: {formatter(state, exception)}{(exception is null ? string.Empty : Environment.NewLine + exception)}");
            }
        }
    }
}
