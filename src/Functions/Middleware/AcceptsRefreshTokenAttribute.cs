namespace JwtFunctions.Middleware;

/// <summary>
/// Marks an HTTP function that takes a refresh token instead of an access token. The middleware
/// validates an <c>Authorization: Bearer</c> refresh token; without that header the function
/// reads the token from its body and validates it itself.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AcceptsRefreshTokenAttribute : Attribute;
