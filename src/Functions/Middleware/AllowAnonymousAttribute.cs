namespace JwtFunctions.Middleware;

/// <summary>Marks an HTTP function that runs without a token. Everything else needs one (default deny).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AllowAnonymousAttribute : Attribute;
