using System.Collections.Concurrent;
using System.Reflection;
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
/// access token: default deny.
/// </summary>
public sealed class EndpointAccessResolver
{
    private readonly ConcurrentDictionary<string, EndpointAccess> _byFunctionId = new(StringComparer.Ordinal);
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

    private EndpointAccess ResolveUncached(FunctionDefinition function) =>
        function.InputBindings.Values.Any(b => string.Equals(b.Type, "httpTrigger", StringComparison.OrdinalIgnoreCase))
            ? Resolve(function.EntryPoint)
            : EndpointAccess.NotHttp;

    /// <summary><paramref name="entryPoint"/> as in <c>functions.metadata</c>: <c>Namespace.Type.Method</c>.</summary>
    public EndpointAccess Resolve(string entryPoint)
    {
        var split = entryPoint.LastIndexOf('.');
        var type = split > 0 ? _functionsAssembly.GetType(entryPoint[..split], throwOnError: false) : null;
        var methods = type?.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Where(m => m.Name == entryPoint[(split + 1)..])
            .ToList();
        if (methods is not { Count: 1 })
        {
            return EndpointAccess.AccessToken;
        }

        var method = methods[0];
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
