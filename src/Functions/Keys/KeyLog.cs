using Microsoft.Extensions.Logging;

namespace JwtFunctions.Keys;

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
