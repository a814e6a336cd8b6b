using Microsoft.Extensions.Logging;

namespace JwtFunctions.Revocation;

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
