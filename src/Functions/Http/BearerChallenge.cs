using JwtFunctions.Tokens;

namespace JwtFunctions.Http;

/// <summary><c>WWW-Authenticate</c> values (RFC 6750 §3).</summary>
public static class BearerChallenge
{
    /// <summary>No credentials were sent: a bare challenge, no error code (RFC 6750 §3.1).</summary>
    public const string Bare = "Bearer";

    public static string InvalidToken(string description) => $"Bearer error=\"{OAuthErrors.InvalidToken}\", error_description=\"{description}\"";

    public static string InvalidToken(TokenFailure failure) => InvalidToken(TokenFailures.Describe(failure));
}
