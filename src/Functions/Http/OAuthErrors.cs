namespace JwtFunctions.Http;

/// <summary>The <c>error</c> codes this API answers with (RFC 6749 §5.2, RFC 6750 §3.1).</summary>
public static class OAuthErrors
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidGrant = "invalid_grant";
    public const string InvalidToken = "invalid_token";
    public const string TemporarilyUnavailable = "temporarily_unavailable";
    public const string ServerError = "server_error";
    public const string NotFound = "not_found";
    public const string UsernameTaken = "username_taken";
}
