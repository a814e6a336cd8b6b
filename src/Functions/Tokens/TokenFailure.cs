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

    /// <summary>A JOSE header parameter this issuer never writes (jku, jwk, x5u, x5c, or any other).</summary>
    ForbiddenHeader,
    Revoked,
    Invalid,

    /// <summary>A token from a cookie on an unsafe method without the <c>X-CSRF-TOKEN</c> header (double submit).</summary>
    CsrfMissing,

    /// <summary>A token from a cookie on an unsafe method whose <c>X-CSRF-TOKEN</c> differs from its <c>csrf</c> claim.</summary>
    CsrfMismatch,

    /// <summary>No usable signing key: not the caller's fault, answered with 503.</summary>
    KeysUnavailable,

    /// <summary>The revocation list was never loaded (storage down at cold start): 503, nothing accepted.</summary>
    RevocationListUnavailable,
}

/// <summary>
/// The fixed <c>error_description</c> per failure kind (RFC 6750 §3). Never an exception message:
/// those can echo token content and tell an attacker which check failed in more detail than needed.
/// </summary>
public static class TokenFailures
{
    /// <summary>Failures that are the service's, not the caller's: 503, not 401.</summary>
    public static bool IsUnavailable(TokenFailure failure) => failure is TokenFailure.KeysUnavailable or TokenFailure.RevocationListUnavailable;

    public static string Describe(TokenFailure failure) => failure switch
    {
        TokenFailure.Malformed => "The token is malformed",
        TokenFailure.TooLong => "The token is too long",
        TokenFailure.InvalidAlgorithm => "The token's algorithm is not accepted",
        TokenFailure.UnknownKey => "The token's signing key is not known",
        TokenFailure.InvalidSignature => "The token's signature is invalid",
        TokenFailure.Expired => "The token expired",
        TokenFailure.NotYetValid => "The token is not valid yet",
        TokenFailure.MissingLifetime => "The token has no expiry",
        TokenFailure.InvalidIssuer => "The token's issuer is invalid",
        TokenFailure.InvalidAudience => "The token's audience is invalid",
        TokenFailure.WrongTokenType => "The token is of the wrong type",
        TokenFailure.InvalidSubject => "The token's subject is invalid",
        TokenFailure.ForbiddenHeader => "The token's header is not accepted",
        TokenFailure.Revoked => "The token was revoked",
        TokenFailure.CsrfMissing => "The X-CSRF-TOKEN header is missing",
        TokenFailure.CsrfMismatch => "The X-CSRF-TOKEN header does not match the token",
        TokenFailure.KeysUnavailable or TokenFailure.RevocationListUnavailable => "Tokens cannot be checked right now",
        _ => "The token is invalid",
    };
}
