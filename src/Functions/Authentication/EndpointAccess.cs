using System.Collections.Concurrent;
using System.Reflection;
using JwtFunctions.Tokens;
using Microsoft.Azure.Functions.Worker;

namespace JwtFunctions.Authentication;

/// <summary>What an HTTP function requires of its caller.</summary>
public enum EndpointAccess
{
    /// <summary>The default: a valid access token.</summary>
    AccessToken = 0,
    RefreshToken,
    Anonymous,

    /// <summary>Not an HTTP trigger: the Bearer middleware leaves it alone.</summary>
    NotHttp,
}

/// <summary>
/// Reads <see cref="AnonymousFunctionAttribute"/> / <see cref="AcceptsRefreshTokenAttribute"/> from a
/// function's entry point once per function. A function whose method cannot be found requires an
/// access token: default deny; an entry point that names several methods stops the request with a
/// misconfiguration error instead of guessing.
/// </summary>
public sealed class EndpointAccessResolver
{
    private readonly ConcurrentDictionary<string, EndpointAccess> _byFunctionId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AccessRequirement> _requirementsByFunctionId = new(StringComparer.Ordinal);
    private readonly Assembly _functionsAssembly;

    public EndpointAccessResolver()
        : this(typeof(EndpointAccessResolver).Assembly)
    {
    }

    public EndpointAccessResolver(Assembly functionsAssembly)
    {
        _functionsAssembly = functionsAssembly;
    }

    public EndpointAccess Resolve(FunctionDefinition function) =>
        _byFunctionId.GetOrAdd(function.Id, static (_, state) => state.self.ResolveUncached(state.function), (self: this, function));

    /// <summary>The roles and scopes a function's caller must hold (<see cref="RequireRoleAttribute"/>, <see cref="RequireScopeAttribute"/>), read once per function.</summary>
    public AccessRequirement ResolveRequirement(FunctionDefinition function) =>
        _requirementsByFunctionId.GetOrAdd(function.Id, static (_, state) => state.self.ResolveRequirement(state.function.EntryPoint), (self: this, function));

    /// <summary>Every role and scope named on the entry point, all of which must hold; <see cref="AccessRequirement.None"/> when there are none.</summary>
    public AccessRequirement ResolveRequirement(string entryPoint)
    {
        if (FindMethod(entryPoint) is not { } method)
        {
            return AccessRequirement.None;
        }

        var requirements = method.GetCustomAttributes<RequireRoleAttribute>().Any() || method.GetCustomAttributes<RequireScopeAttribute>().Any();
        if (requirements && (method.IsDefined(typeof(AnonymousFunctionAttribute)) || method.IsDefined(typeof(AcceptsRefreshTokenAttribute))))
        {
            // Roles and scopes are checked on access tokens only: on these they would silently do nothing.
            throw new InvalidOperationException($"{entryPoint}: [RequireRole] / [RequireScope] need an access token; remove [AnonymousFunction] / [AcceptsRefreshToken] or the requirement.");
        }

        var roles = method.GetCustomAttributes<RequireRoleAttribute>().SelectMany(a => a.Roles).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var scopes = method.GetCustomAttributes<RequireScopeAttribute>().SelectMany(a => a.Scopes).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return roles.Length == 0 && scopes.Length == 0 ? AccessRequirement.None : new AccessRequirement(roles, scopes);
    }

    /// <summary>
    /// The entry point's method, or <c>null</c> when this assembly has no such method. Several public
    /// methods of that name are a misconfiguration: which one's attributes hold cannot be told, and
    /// guessing would let a role or scope requirement fail open.
    /// </summary>
    private MethodInfo? FindMethod(string entryPoint)
    {
        var split = entryPoint.LastIndexOf('.');
        var type = split > 0 ? _functionsAssembly.GetType(entryPoint[..split], throwOnError: false) : null;
        var methods = type?.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Where(m => m.Name == entryPoint[(split + 1)..])
            .ToList();
        return methods switch
        {
            null or { Count: 0 } => null,
            { Count: 1 } => methods[0],
            _ => throw new InvalidOperationException($"{entryPoint}: {methods.Count} public methods have this name; give the function's method a unique name."),
        };
    }

    private EndpointAccess ResolveUncached(FunctionDefinition function) =>
        function.InputBindings.Values.Any(b => string.Equals(b.Type, "httpTrigger", StringComparison.OrdinalIgnoreCase))
            ? Resolve(function.EntryPoint)
            : EndpointAccess.NotHttp;

    /// <summary><paramref name="entryPoint"/> as in <c>functions.metadata</c>: <c>Namespace.Type.Method</c>.</summary>
    public EndpointAccess Resolve(string entryPoint)
    {
        if (FindMethod(entryPoint) is not { } method)
        {
            return EndpointAccess.AccessToken;
        }

        if (method.IsDefined(typeof(AnonymousFunctionAttribute)))
        {
            return EndpointAccess.Anonymous;
        }

        return method.IsDefined(typeof(AcceptsRefreshTokenAttribute)) ? EndpointAccess.RefreshToken : EndpointAccess.AccessToken;
    }
}

/// <summary>Marks an HTTP function that runs without a token. Everything else needs one (default deny).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AnonymousFunctionAttribute : Attribute;

/// <summary>
/// Marks an HTTP function that takes a refresh token instead of an access token. The middleware
/// validates an <c>Authorization: Bearer</c> refresh token; without that header the function
/// reads the token from its body and validates it itself.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AcceptsRefreshTokenAttribute : Attribute;

/// <summary>
/// The caller's access token must carry this role in its <c>roles</c> claim (RFC 9068 §2.2.3.1).
/// Several roles, or several attributes, must all hold. Enforced by the Bearer middleware: a valid
/// token without it gets 403 <c>insufficient_scope</c> (RFC 6750 §3.1) and the function never runs.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class RequireRoleAttribute(params string[] roles) : Attribute
{
    public IReadOnlyList<string> Roles { get; } = roles;
}

/// <summary>
/// The caller's access token must carry this scope in its <c>scope</c> claim (RFC 9068 §2.2.3,
/// RFC 6749 §3.3). Several scopes, or several attributes, must all hold; a valid token without
/// them gets 403 <c>insufficient_scope</c> naming the scopes needed (RFC 6750 §3.1).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class RequireScopeAttribute(params string[] scopes) : Attribute
{
    public IReadOnlyList<string> Scopes { get; } = scopes;
}

/// <summary>The roles and scopes a function requires; all must hold.</summary>
public sealed record AccessRequirement(IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes)
{
    public static readonly AccessRequirement None = new([], []);

    /// <summary>What the caller lacks: <see cref="AccessShortfall.None"/>, a role, or a scope (roles are checked first).</summary>
    public AccessShortfall Check(TokenPrincipal caller)
    {
        foreach (var role in Roles)
        {
            if (!caller.IsInRole(role))
            {
                return AccessShortfall.Role;
            }
        }

        foreach (var scope in Scopes)
        {
            if (!caller.HasScope(scope))
            {
                return AccessShortfall.Scope;
            }
        }

        return AccessShortfall.None;
    }
}

public enum AccessShortfall
{
    None,
    Role,
    Scope,
}
