using System.Text.Json;
using System.Text.Json.Nodes;

namespace JwtFunctions.FunctionsHost;

/// <summary>
/// What the host reads from a built function app folder: <c>worker.config.json</c> (how to start
/// the worker), <c>host.json</c> (route prefix) and <c>local.settings.json</c> (app settings that
/// become the worker's environment, as <c>func start</c> does).
/// </summary>
internal sealed class FunctionAppSettings
{
    public required string AppDirectory { get; init; }

    public required string WorkerExecutable { get; init; }

    public required IReadOnlyList<string> WorkerArguments { get; init; }

    public required string RoutePrefix { get; init; }

    public required IReadOnlyDictionary<string, string> LocalSettingsValues { get; init; }

    public int? LocalHttpPort { get; init; }

    /// <summary>local.settings.json <c>Host.CORS</c>: comma-separated origins, as Core Tools reads it.</summary>
    public string? HostCors { get; init; }

    /// <summary>local.settings.json <c>Host.CORSCredentials</c>.</summary>
    public bool HostCorsCredentials { get; init; }

    public static FunctionAppSettings Load(string appDirectory, string? localSettingsPath = null)
    {
        var dir = Path.GetFullPath(appDirectory);
        var workerConfigPath = Path.Combine(dir, "worker.config.json");
        if (!File.Exists(workerConfigPath))
        {
            throw new InvalidOperationException(
                $"'{dir}' is not a built dotnet-isolated function app: worker.config.json is missing. " +
                "Point the host at the app's build or publish output folder (e.g. src/Functions/bin/Debug/net10.0).");
        }

        var documentOptions = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        var workerConfig = JsonNode.Parse(File.ReadAllText(workerConfigPath), documentOptions: documentOptions)?["description"]
            ?? throw new InvalidOperationException($"{workerConfigPath} has no 'description' section.");
        var executable = workerConfig["defaultExecutablePath"]?.GetValue<string>() ?? "dotnet";
        var workerPath = workerConfig["defaultWorkerPath"]?.GetValue<string>()
            ?? throw new InvalidOperationException($"{workerConfigPath} has no 'defaultWorkerPath'.");
        // The real host substitutes {WorkerRoot}; the SDK writes a path relative to the app folder.
        workerPath = workerPath.Replace("{WorkerRoot}", dir + Path.DirectorySeparatorChar, StringComparison.OrdinalIgnoreCase);
        var arguments = new List<string>();
        if (workerConfig["arguments"] is JsonArray extra)
        {
            arguments.AddRange(extra.Select(a => a?.GetValue<string>()).OfType<string>());
        }

        arguments.Add(Path.GetFullPath(Path.Combine(dir, workerPath)));

        var routePrefix = "api";
        var hostJsonPath = Path.Combine(dir, "host.json");
        if (File.Exists(hostJsonPath))
        {
            var hostJson = JsonNode.Parse(File.ReadAllText(hostJsonPath), documentOptions: documentOptions);
            if (hostJson?["extensions"]?["http"]?["routePrefix"] is JsonValue prefix)
            {
                routePrefix = prefix.GetValue<string>();
            }
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        int? localHttpPort = null;
        string? hostCors = null;
        var hostCorsCredentials = false;
        localSettingsPath ??= Path.Combine(dir, "local.settings.json");
        if (File.Exists(localSettingsPath))
        {
            var settings = JsonNode.Parse(File.ReadAllText(localSettingsPath), documentOptions: documentOptions);
            if (settings?["Values"] is JsonObject valueObject)
            {
                foreach (var (key, value) in valueObject)
                {
                    values[key] = JsonScalarToString(value);
                }
            }

            // func start exposes connection strings to the worker as ConnectionStrings:NAME.
            if (settings?["ConnectionStrings"] is JsonObject connectionStrings)
            {
                foreach (var (key, value) in connectionStrings)
                {
                    values["ConnectionStrings__" + key] = JsonScalarToString(value);
                }
            }

            if (settings?["Host"]?["LocalHttpPort"] is JsonValue port && port.TryGetValue<int>(out var p))
            {
                localHttpPort = p;
            }

            if (settings?["Host"]?["CORS"] is JsonValue cors)
            {
                hostCors = JsonScalarToString(cors);
            }

            if (settings?["Host"]?["CORSCredentials"] is JsonValue credentials)
            {
                hostCorsCredentials = credentials.TryGetValue<bool>(out var b) ? b : bool.TryParse(JsonScalarToString(credentials), out b) && b;
            }
        }

        return new FunctionAppSettings
        {
            AppDirectory = dir,
            WorkerExecutable = executable,
            WorkerArguments = arguments,
            RoutePrefix = routePrefix.Trim('/'),
            LocalSettingsValues = values,
            LocalHttpPort = localHttpPort,
            HostCors = hostCors,
            HostCorsCredentials = hostCorsCredentials,
        };
    }

    private static string JsonScalarToString(JsonNode? node) => node switch
    {
        null => string.Empty,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };
}
