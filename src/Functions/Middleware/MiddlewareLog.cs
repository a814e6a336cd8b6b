using Microsoft.Extensions.Logging;

namespace JwtFunctions.Middleware;

/// <summary>Middleware log lines. The token itself is never logged, only why it was refused.</summary>
internal static partial class MiddlewareLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "{Function}: request refused, {Failure}")]
    public static partial void Refused(ILogger logger, string function, string failure);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "{Function}: unhandled exception")]
    public static partial void Unhandled(ILogger logger, string function, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "{Function}: dependency unavailable ({ErrorType}, status {Status})")]
    public static partial void DependencyUnavailable(ILogger logger, string function, string errorType, int status);
}
