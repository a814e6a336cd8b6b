namespace JwtFunctions.Tokens;

/// <summary>Why a token was refused. Each kind has one fixed description (see <see cref="TokenFailures"/>).</summary>
public enum TokenFailure
{
    None = 0,
    Malformed,
    TooLong,
    InvalidAlgorithm,
    UnknownKey,
    InvalidSignature,
    Expired,
    NotYetValid,
    MissingLifetime,
    InvalidIssuer,
    InvalidAudience,
    WrongTokenType,
    InvalidSubject,
    Revoked,
    Invalid,

    /// <summary>No usable signing key: not the caller's fault, answered with 503.</summary>
    KeysUnavailable,

    /// <summary>The revocation list was never loaded (storage down at cold start): 503, nothing accepted.</summary>
    RevocationListUnavailable,
}
