using System.Text.Json.Serialization;

namespace JwtFunctions.Admin;

/// <summary>Body of <c>POST /api/v1.0/admin/users</c>. <c>roles</c> and <c>scope</c> are optional.</summary>
public sealed record CreateUserRequest(
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("password")] string? Password,
    [property: JsonPropertyName("roles")] string?[]? Roles,
    [property: JsonPropertyName("scope")] string? Scope)
{
    public override string ToString() => "CreateUserRequest";
}

/// <summary>Body of <c>PUT /api/v1.0/admin/users/{username}/roles</c>: the complete new set.</summary>
public sealed record SetRolesRequest([property: JsonPropertyName("roles")] string?[]? Roles);

/// <summary>Body of <c>POST /api/v1.0/admin/users/{username}/password</c>.</summary>
public sealed record ResetPasswordRequest([property: JsonPropertyName("new_password")] string? NewPassword)
{
    public override string ToString() => "ResetPasswordRequest";
}

/// <summary>One user as the admin API shows it; <c>locked_until</c> is null unless a lock-out lasts.</summary>
public sealed record UserResponse(
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("roles")] IReadOnlyList<string> Roles,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("disabled")] bool Disabled,
    [property: JsonPropertyName("locked_until")] DateTimeOffset? LockedUntil)
{
    public static UserResponse From(UserSummary user) => new(user.Username, user.Roles, user.Scope, user.Disabled, user.LockedUntil);
}

/// <summary>A page of users; pass <c>continuation</c> back for the next one. Null on the last page.</summary>
public sealed record UserPageResponse(
    [property: JsonPropertyName("users")] IReadOnlyList<UserResponse> Users,
    [property: JsonPropertyName("continuation")] string? Continuation);

[JsonSourceGenerationOptions(MaxDepth = 8, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(CreateUserRequest))]
[JsonSerializable(typeof(SetRolesRequest))]
[JsonSerializable(typeof(ResetPasswordRequest))]
[JsonSerializable(typeof(UserResponse))]
[JsonSerializable(typeof(UserPageResponse))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
