using System.Text.Json.Nodes;

namespace JwtFunctions.Infra.Tests.Infrastructure;

/// <summary>Dotted-path access into JSON (e.g. "properties.siteConfig.ftpsState").</summary>
public static class Json
{
    public static JsonNode? Node(this JsonNode? node, string path)
    {
        JsonNode? current = node;
        foreach (var part in path.Split('.'))
        {
            current = current is JsonObject obj && obj.TryGetPropertyValue(part, out var next) ? next : null;
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    public static string? Str(this JsonNode? node, string path) =>
        node.Node(path) is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static bool? Bool(this JsonNode? node, string path) =>
        node.Node(path) is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : null;

    public static int? Int(this JsonNode? node, string path) =>
        node.Node(path) is JsonValue value && value.TryGetValue<int>(out var number) ? number : null;

    /// <summary>Every object in the tree, depth first.</summary>
    public static IEnumerable<JsonObject> Objects(this JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                yield return obj;
                foreach (var (_, child) in obj)
                {
                    foreach (var nested in child.Objects())
                    {
                        yield return nested;
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    foreach (var nested in item.Objects())
                    {
                        yield return nested;
                    }
                }

                break;
        }
    }
}
