using System.Text.Json.Serialization;

namespace JwtFunctions.Endpoints;

/// <summary>Body of login and register (the flask-jwt-extended tutorial's <c>{"username"}</c> plus the password it lacked).</summary>
public sealed record CredentialsRequest(
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("password")] string? Password)
{
    public override string ToString() => "CredentialsRequest";
}

/// <summary>Body of refresh when the token is not sent as <c>Authorization: Bearer</c>.</summary>
public sealed record RefreshRequest([property: JsonPropertyName("refresh_token")] string? RefreshToken)
{
    public override string ToString() => "RefreshRequest";
}

/// <summary>Body of logout; empty means this session only.</summary>
public sealed record LogoutRequest([property: JsonPropertyName("all")] bool All);

/// <summary>
/// RFC 6749 §5.1 access-token response, with the flask-jwt-extended tutorial's two token fields
/// first. With <c>Jwt:TokenLocation=cookies</c> the tokens travel only in HttpOnly cookies, so
/// both token fields are left out (null) and no script can read them.
/// </summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("access_token"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AccessToken,
    [property: JsonPropertyName("refresh_token"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RefreshToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn)
{
    public override string ToString() => "TokenResponse";
}

/// <summary>The flask-jwt-extended tutorial's <c>{"username": ...}</c> from protected.</summary>
public sealed record UsernameResponse([property: JsonPropertyName("username")] string Username);

/// <summary>RFC 6749 §5.2 / RFC 6750 §3 error body.</summary>
public sealed record ErrorResponse(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string ErrorDescription);

/// <summary>The health answer for an anonymous caller: the status alone.</summary>
public sealed record HealthStatusResponse([property: JsonPropertyName("status")] string Status);

/// <summary>The health answer for a caller with a valid access token: which dependency is in which state.</summary>
public sealed record HealthResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("signing_keys")] string SigningKeys,
    [property: JsonPropertyName("key_source")] string KeySource,
    [property: JsonPropertyName("storage")] string Storage,
    [property: JsonPropertyName("issuing")] bool Issuing,
    [property: JsonPropertyName("issuing_stops_at"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? IssuingStopsAt);

public sealed record RegisteredResponse([property: JsonPropertyName("username")] string Username);

/// <summary>RFC 7009 §2.1 revocation request (also accepted as JSON).</summary>
public sealed record RevocationRequest(
    [property: JsonPropertyName("token")] string? Token,
    [property: JsonPropertyName("token_type_hint")] string? TokenTypeHint)
{
    public override string ToString() => "RevocationRequest";
}

/// <summary>Body of the password change.</summary>
public sealed record PasswordChangeRequest(
    [property: JsonPropertyName("current_password")] string? CurrentPassword,
    [property: JsonPropertyName("new_password")] string? NewPassword)
{
    public override string ToString() => "PasswordChangeRequest";
}

/// <summary>The caller of <c>GET me</c>: its name, roles (JSON array) and scopes (space-separated), as its access token carries them.</summary>
public sealed record MeResponse(
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("roles")] IReadOnlyList<string> Roles,
    [property: JsonPropertyName("scope")] string Scope);

/// <summary>
/// Source-generated JSON for every body the API reads or writes. <c>MaxDepth</c> is small because
/// no request is nested: deeper input is refused before it costs anything.
/// </summary>
[JsonSourceGenerationOptions(MaxDepth = 8, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(CredentialsRequest))]
[JsonSerializable(typeof(RefreshRequest))]
[JsonSerializable(typeof(LogoutRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(UsernameResponse))]
[JsonSerializable(typeof(RegisteredResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(HealthStatusResponse))]
[JsonSerializable(typeof(RevocationRequest))]
[JsonSerializable(typeof(PasswordChangeRequest))]
[JsonSerializable(typeof(MeResponse))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
