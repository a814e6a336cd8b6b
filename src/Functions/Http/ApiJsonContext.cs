using System.Text.Json.Serialization;

namespace JwtFunctions.Http;

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
[JsonSerializable(typeof(RevocationRequest))]
[JsonSerializable(typeof(PasswordChangeRequest))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
