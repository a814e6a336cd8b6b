using System.Text.Json;
using System.Text.Json.Nodes;
using JwtFunctions.FunctionsHost.Rpc;

namespace JwtFunctions.FunctionsHost;

/// <summary>An HTTP-triggered function as the front door routes to it.</summary>
public sealed record HttpFunctionInfo(
    string Name,
    string FunctionId,
    string TriggerBindingName,
    string RouteTemplate,
    IReadOnlyList<string>? Methods,
    string? HttpOutputBindingName);

/// <summary>
/// Turns the worker's function metadata (or, when the worker asks for host indexing, the app's
/// functions.metadata file) into load requests whose <c>bindings</c> map is built from the raw
/// binding JSON, and into the HTTP routing table.
/// </summary>
internal static class FunctionIndex
{
    public static IReadOnlyList<RpcFunctionMetadata> ReadFunctionsMetadataFile(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "functions.metadata");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The worker asked for host indexing but {path} does not exist.");
        }

        var result = new List<RpcFunctionMetadata>();
        foreach (var node in JsonNode.Parse(File.ReadAllText(path))?.AsArray() ?? [])
        {
            if (node is not JsonObject function)
            {
                continue;
            }

            var metadata = new RpcFunctionMetadata
            {
                Name = function["name"]?.GetValue<string>() ?? string.Empty,
                ScriptFile = function["scriptFile"]?.GetValue<string>() ?? string.Empty,
                EntryPoint = function["entryPoint"]?.GetValue<string>() ?? string.Empty,
                Language = function["language"]?.GetValue<string>() ?? string.Empty,
                Directory = appDirectory,
            };
            foreach (var binding in function["bindings"]?.AsArray() ?? [])
            {
                if (binding is not null)
                {
                    metadata.RawBindings.Add(binding.ToJsonString());
                }
            }

            result.Add(metadata);
        }

        return result;
    }

    /// <summary>Builds the load request for one function: the bindings map comes from raw_bindings.</summary>
    public static FunctionLoadRequest CreateLoadRequest(RpcFunctionMetadata indexed, string appDirectory)
    {
        var metadata = indexed.Clone();
        if (string.IsNullOrEmpty(metadata.FunctionId))
        {
            metadata.FunctionId = Guid.NewGuid().ToString();
        }

        if (string.IsNullOrEmpty(metadata.Directory))
        {
            metadata.Directory = appDirectory;
        }

        metadata.Bindings.Clear();
        foreach (var raw in metadata.RawBindings)
        {
            var binding = ParseBinding(raw);
            metadata.Bindings[binding.Name] = binding.Info;
        }

        return new FunctionLoadRequest { FunctionId = metadata.FunctionId, Metadata = metadata };
    }

    /// <summary>The routing entry for an HTTP-triggered function, or null for other triggers.</summary>
    public static HttpFunctionInfo? GetHttpFunction(RpcFunctionMetadata metadata)
    {
        JsonObject? trigger = null;
        string? output = null;
        foreach (var raw in metadata.RawBindings)
        {
            var binding = JsonNode.Parse(raw)?.AsObject();
            var type = binding?["type"]?.GetValue<string>();
            if (string.Equals(type, "httpTrigger", StringComparison.OrdinalIgnoreCase))
            {
                trigger = binding;
            }
            else if (string.Equals(type, "http", StringComparison.OrdinalIgnoreCase)
                && !string.Equals(binding?["direction"]?.GetValue<string>(), "in", StringComparison.OrdinalIgnoreCase))
            {
                output = binding?["name"]?.GetValue<string>();
            }
        }

        if (trigger is null)
        {
            return null;
        }

        var route = trigger["route"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(route))
        {
            route = metadata.Name;
        }

        string[]? methods = trigger["methods"] is JsonArray array
            ? array.Select(m => m?.GetValue<string>()?.ToUpperInvariant()).OfType<string>().ToArray()
            : null;
        if (methods is { Length: 0 })
        {
            methods = null;
        }

        return new HttpFunctionInfo(
            metadata.Name,
            metadata.FunctionId,
            trigger["name"]?.GetValue<string>() ?? "req",
            route.Trim('/'),
            methods,
            output);
    }

    public static string? GetTriggerType(RpcFunctionMetadata metadata)
    {
        foreach (var raw in metadata.RawBindings)
        {
            var binding = JsonNode.Parse(raw);
            var type = binding?["type"]?.GetValue<string>();
            if (type is not null && type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))
            {
                return type;
            }
        }

        return null;
    }

    private static (string Name, BindingInfo Info) ParseBinding(string raw)
    {
        JsonObject binding;
        try
        {
            binding = JsonNode.Parse(raw)?.AsObject() ?? throw new FormatException("null binding");
        }
        catch (JsonException e)
        {
            throw new FormatException($"A raw binding is not valid JSON: {raw}", e);
        }

        var name = binding["name"]?.GetValue<string>() ?? throw new FormatException($"A binding has no name: {raw}");
        var type = binding["type"]?.GetValue<string>() ?? throw new FormatException($"Binding '{name}' has no type.");
        var directionText = binding["direction"]?.GetValue<string>() ?? throw new FormatException($"Binding '{name}' has no direction.");
        if (!Enum.TryParse<BindingInfo.Types.Direction>(directionText, ignoreCase: true, out var direction))
        {
            throw new FormatException($"Binding '{name}' has an unknown direction '{directionText}'.");
        }

        var info = new BindingInfo { Type = type, Direction = direction };
        if (binding["dataType"]?.GetValue<string>() is { } dataTypeText
            && Enum.TryParse<BindingInfo.Types.DataType>(dataTypeText, ignoreCase: true, out var dataType))
        {
            info.DataType = dataType;
        }

        return (name, info);
    }
}
