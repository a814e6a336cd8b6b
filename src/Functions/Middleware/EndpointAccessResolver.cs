using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace JwtFunctions.Middleware;

/// <summary>
/// Reads <see cref="AllowAnonymousAttribute"/> / <see cref="AcceptsRefreshTokenAttribute"/> from a
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
        if (method.IsDefined(typeof(AllowAnonymousAttribute)))
        {
            return EndpointAccess.Anonymous;
        }

        return method.IsDefined(typeof(AcceptsRefreshTokenAttribute)) ? EndpointAccess.RefreshToken : EndpointAccess.AccessToken;
    }
}
