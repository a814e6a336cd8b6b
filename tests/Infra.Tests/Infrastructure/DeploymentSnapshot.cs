using System.Text.Json.Nodes;

namespace JwtFunctions.Infra.Tests.Infrastructure;

/// <summary>
/// A `bicep snapshot` result: every resource the deployment would create, with expressions
/// evaluated as far as they can be before deployment, and the outputs.
/// </summary>
public sealed class DeploymentSnapshot
{
    public DeploymentSnapshot(string text)
    {
        Text = text;
        var root = JsonNode.Parse(text)!.AsObject();
        Resources = root["predictedResources"]!.AsArray().Select(r => r!.AsObject()).ToArray();
        Diagnostics = root["diagnostics"]?.AsArray() ?? [];
        Outputs = root["outputs"]?.AsObject() ?? [];
    }

    public string Text { get; }

    public IReadOnlyList<JsonObject> Resources { get; }

    public JsonArray Diagnostics { get; }

    public JsonObject Outputs { get; }

    public IEnumerable<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Str("type"), type, StringComparison.OrdinalIgnoreCase));

    public JsonObject Single(string type)
    {
        var matches = OfType(type).ToList();
        Assert.True(matches.Count == 1, $"Expected exactly one {type} in the snapshot, found {matches.Count}.");
        return matches[0];
    }

    public JsonObject FunctionApp => Single("Microsoft.Web/sites");

    /// <summary>The Function App's app settings, name to value (expressions stay as ARM expression text).</summary>
    public IReadOnlyDictionary<string, string> AppSettings =>
        FunctionApp.Node("properties.siteConfig.appSettings")!.AsArray()
            .Select(s => s!.AsObject())
            .ToDictionary(s => s.Str("name")!, s => s.Str("value") ?? s["value"]?.ToJsonString() ?? string.Empty, StringComparer.Ordinal);

    public IEnumerable<RoleAssignment> RoleAssignments =>
        OfType("Microsoft.Authorization/roleAssignments").Select(r => new RoleAssignment(r));
}

/// <summary>A role assignment from the snapshot.</summary>
public sealed record RoleAssignment(JsonObject Resource)
{
    private const string Marker = "/providers/Microsoft.Authorization/roleAssignments/";

    /// <summary>Resource ID of the scope (the part of the assignment's ID before its provider segment).</summary>
    public string Scope
    {
        get
        {
            var id = Resource.Str("id")!;
            // Not evaluable before deployment (its name uses deployer()): [extensionResourceId('<scope>', ...)].
            const string extension = "[extensionResourceId('";
            if (id.StartsWith(extension, StringComparison.Ordinal))
            {
                return id[extension.Length..id.IndexOf('\'', extension.Length)];
            }

            var at = id.IndexOf(Marker, StringComparison.OrdinalIgnoreCase);
            return at < 0 ? id : id[..at];
        }
    }

    public string RoleDefinitionId => Resource.Str("properties.roleDefinitionId") ?? string.Empty;

    public string PrincipalId => Resource.Str("properties.principalId") ?? string.Empty;

    public string? PrincipalType => Resource.Str("properties.principalType");

    public bool IsRole(string roleGuid) => RoleDefinitionId.EndsWith("/" + roleGuid, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the principal is the object ID of the identity with this resource ID.</summary>
    public bool IsForIdentity(string identityResourceId) =>
        PrincipalId.Contains($"'{identityResourceId}'", StringComparison.OrdinalIgnoreCase)
        && PrincipalId.EndsWith(".principalId]", StringComparison.Ordinal);

    public override string ToString() => $"{RoleDefinitionId} for {PrincipalId} on {Scope}";
}
