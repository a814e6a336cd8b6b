using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using JwtFunctions.FunctionsHost;

namespace JwtFunctions.EndToEnd.Tests.HostFidelity;

/// <summary>The fidelity table (<c>fidelity.json</c> next to this file), as data.</summary>
public static class FidelityTable
{
    public static string Path { get; } = System.IO.Path.Combine(AppBuild.RepositoryRoot, "tests", "EndToEnd.Tests", "HostFidelity", "fidelity.json");

    private static readonly Lazy<JsonObject> Document = new(() =>
        JsonNode.Parse(File.ReadAllText(Path))!.AsObject());

    public static JsonObject Sources => Document.Value["sources"]!.AsObject();

    public static IReadOnlyList<JsonObject> Rows => Document.Value["rows"]!.AsArray().Select(r => r!.AsObject()).ToList();

    public static JsonObject Row(string id) => Rows.Single(r => (string?)r["id"] == id);

    public static TheoryData<string> RowIds
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var row in Rows)
            {
                data.Add((string)row["id"]!);
            }

            return data;
        }
    }
}

/// <summary>
/// Two local hosts running tests/FidelityApp (no storage needed): <c>coreTools</c>, configured
/// the way <c>func start</c> reads local.settings.json (Host.CORS with credentials, a 1024-byte
/// FUNCTIONS_REQUEST_BODY_SIZE_LIMIT, homepage on), and <c>flex</c>, configured with the app
/// settings Flex Consumption has (AzureWebJobsDisableHomepage=true, CORS_ALLOWED_ORIGINS).
/// </summary>
public sealed class FidelityHostsFixture : IAsyncLifetime
{
    private string? _settingsDirectory;

    public TestLog Log { get; } = new();

    public IReadOnlyDictionary<string, LocalFunctionsHost> Hosts { get; private set; } = new Dictionary<string, LocalFunctionsHost>();

    public async Task InitializeAsync()
    {
        var started = new Dictionary<string, LocalFunctionsHost>();
        try
        {
            var appDirectory = await FidelityAppBuild.GetAppDirectoryAsync();
            _settingsDirectory = Directory.CreateTempSubdirectory("jwtfunctions-fidelity-").FullName;
            var coreToolsSettings = System.IO.Path.Combine(_settingsDirectory, "local.settings.json");
            await File.WriteAllTextAsync(coreToolsSettings, """
                {
                  "IsEncrypted": false,
                  "Values": {
                    "FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated",
                    "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT": "1024"
                  },
                  "Host": {
                    "CORS": "https://allowed.example",
                    "CORSCredentials": true
                  }
                }
                """);
            var coreTools = LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
            {
                AppDirectory = appDirectory,
                Port = 0,
                LocalSettingsPath = coreToolsSettings,
                LogSink = line => Log.Write("[coreTools] " + line),
            });
            var flex = LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
            {
                AppDirectory = appDirectory,
                Port = 0,
                LocalSettingsPath = System.IO.Path.Combine(_settingsDirectory, "none.json"),
                Environment = new Dictionary<string, string>
                {
                    ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
                    ["AzureWebJobsDisableHomepage"] = "true",
                    ["CORS_ALLOWED_ORIGINS"] = """["https://a.example","https://b.example"]""",
                    ["CORS_SUPPORT_CREDENTIALS"] = "false",
                },
                LogSink = line => Log.Write("[flex] " + line),
            });
            try
            {
                await Task.WhenAll(coreTools, flex);
            }
            finally
            {
                foreach (var (name, task) in new[] { ("coreTools", coreTools), ("flex", flex) })
                {
                    if (task.IsCompletedSuccessfully)
                    {
                        started[name] = task.Result;
                    }
                }
            }

            Hosts = started;
        }
        catch (Exception e)
        {
            Hosts = started;
            await DisposeAsync();
            throw new InvalidOperationException($"The fidelity hosts did not start: {e.Message}{Environment.NewLine}--- log tail ---{Environment.NewLine}{Log.Tail()}", e);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var host in Hosts.Values)
        {
            await host.DisposeAsync();
        }

        if (_settingsDirectory is not null)
        {
            Directory.Delete(_settingsDirectory, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FidelityHostsCollection : ICollectionFixture<FidelityHostsFixture>
{
    public const string Name = "Host fidelity";
}

/// <summary>Each row of the fidelity table, run against the local host.</summary>
[Collection(FidelityHostsCollection.Name)]
public sealed class HostFidelityTests : IDisposable
{
    private readonly FidelityHostsFixture _hosts;
    private readonly ITestOutputHelper _output;

    public HostFidelityTests(FidelityHostsFixture hosts, ITestOutputHelper output)
    {
        _hosts = hosts;
        _output = output;
        _hosts.Log.Attach(output);
    }

    [Theory]
    [MemberData(nameof(FidelityTable.RowIds), MemberType = typeof(FidelityTable))]
    public async Task EachRowOfTheFidelityTableHoldsOnTheLocalHost(string id)
    {
        var row = FidelityTable.Row(id);
        _output.WriteLine($"{id}: {row["behaviour"]} -> {row["outcome"]}");
        var expect = row["expect"]!.AsObject();
        if ((string?)row["host"] == "start")
        {
            await StartupIsRefusedAsync(row["start"]!.AsObject(), (string)expect["startupError"]!);
            return;
        }

        if ((string?)row["host"] == "schedule")
        {
            ScheduleIsReadAsTheHostReadsIt(row["schedule"]!.AsObject(), expect);
            return;
        }

        var request = row["request"]!.AsObject();
        var host = _hosts.Hosts[(string)row["host"]!];
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var pair in request["headers"]?.AsArray() ?? [])
        {
            headers.Add(KeyValuePair.Create((string)pair![0]!, (string)pair[1]!));
        }

        if (request["bigHeader"] is JsonObject big)
        {
            headers.Add(KeyValuePair.Create((string)big["name"]!, new string('a', (int)big["bytes"]!)));
        }

        byte[]? body = null;
        var chunked = false;
        if (request["body"] is JsonObject bodySpec)
        {
            body = Encoding.ASCII.GetBytes(new string('b', (int)bodySpec["bytes"]!));
            chunked = (bool?)bodySpec["chunked"] ?? false;
            headers.Add(KeyValuePair.Create("Content-Type", "text/plain"));
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var response = await RawHttp.SendAsync(host.BaseAddress, (string)request["method"]!, (string)request["path"]!, headers, body, chunked, timeout.Token);
        _output.WriteLine("--- response ---" + Environment.NewLine + response);

        Assert.Equal((int)expect["status"]!, response.Status);
        if ((bool?)expect["emptyBody"] == true)
        {
            Assert.Empty(response.Body);
        }

        if ((string?)expect["contentType"] is { } contentType)
        {
            Assert.Equal([contentType], response.Values("Content-Type"));
        }

        if ((string?)expect["bodyContains"] is { } contains)
        {
            Assert.Contains(contains, Encoding.UTF8.GetString(response.Body), StringComparison.Ordinal);
        }

        foreach (var (name, value) in expect["headers"]?.AsObject() ?? [])
        {
            Assert.Equal([(string)value!], response.Values(name));
        }

        foreach (var name in expect["absentHeaders"]?.AsArray() ?? [])
        {
            Assert.Empty(response.Values((string)name!));
        }

        if (expect["echo"] is JsonObject echo)
        {
            var echoed = JsonNode.Parse(response.Body)!;
            foreach (var (path, value) in echo)
            {
                var actual = Select(echoed, path);
                Assert.True(JsonNode.DeepEquals(value, actual), $"echo {path}: expected {value?.ToJsonString()}, got {actual?.ToJsonString()}");
            }
        }

        if (expect["echoNot"] is JsonObject echoNot)
        {
            var echoed = JsonNode.Parse(response.Body)!;
            foreach (var (path, value) in echoNot)
            {
                var actual = Select(echoed, path);
                Assert.NotNull(actual);
                Assert.False(JsonNode.DeepEquals(value, actual), $"echo {path}: must not be {value?.ToJsonString()}");
            }
        }
    }

    /// <summary>A timer trigger's schedule, as the local host reads it when it loads the function.</summary>
    private static void ScheduleIsReadAsTheHostReadsIt(JsonObject schedule, JsonObject expect)
    {
        var settings = schedule["settings"]?.AsObject().ToDictionary(p => p.Key, p => (string?)p.Value) ?? [];
        string? Setting(string name) => settings.TryGetValue(name, out var value) ? value : null;
        var expression = (string)schedule["expression"]!;
        if (expect["error"] is { } error)
        {
            Assert.Equal((string)error!, Assert.Throws<FormatException>(() => TimerSchedule.Parse(expression, Setting)).Message);
            return;
        }

        var from = DateTime.Parse((string)schedule["from"]!, System.Globalization.CultureInfo.InvariantCulture);
        var next = DateTime.Parse((string)expect["next"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(next, TimerSchedule.Parse(expression, Setting).GetNextOccurrence(from));
    }

    [Fact]
    public void EveryRowCitesTheRealHostsSourceFileAndTheVersionRead()
    {
        var sources = FidelityTable.Sources;
        Assert.All(FidelityTable.Rows, row =>
        {
            var cited = row["sources"]!.AsArray();
            Assert.NotEmpty(cited);
            foreach (var source in cited)
            {
                var key = (string)source![0]!;
                Assert.True(sources.ContainsKey(key), $"{row["id"]}: unknown source {key}");
                Assert.False(string.IsNullOrWhiteSpace((string?)sources[key]!["ref"]), $"{key} has no version");
                Assert.EndsWith(".cs", (string)source[1]!, StringComparison.Ordinal);
            }

            Assert.False(string.IsNullOrWhiteSpace((string?)row["outcome"]), $"{row["id"]}: no outcome");
            Assert.NotNull(row["changedLocalHost"]);
        });
    }

    [Fact]
    public void TheTableHasARowForEveryBehaviourIssue19Lists()
    {
        string[] required =
        [
            "wrong-method", "head-on-get", "homepage", "homepage-disabled", "headers-over-32k", "body-over-limit",
            "cors-preflight", "cors-actual", "cors-disallowed-preflight", "cors-disallowed-actual", "cors-wildcard-with-credentials",
            "route-case", "trailing-slash", "repeated-headers", "query-string", "response-headers", "failed-invocation",
            "forwarding-failure", "non-ascii-header",
        ];
        var ids = FidelityTable.Rows.Select(r => (string)r["id"]!).ToHashSet();
        var missing = required.Where(r => !ids.Contains(r)).ToList();
        Assert.True(missing.Count == 0, "missing rows: " + string.Join(", ", missing));
        Assert.Equal(ids.Count, FidelityTable.Rows.Count);
        Assert.All(FidelityTable.Rows.Where(r => r["deviation"] is not null), r => Assert.False(string.IsNullOrWhiteSpace((string?)r["deviation"])));
    }

    private async Task StartupIsRefusedAsync(JsonObject start, string message)
    {
        var appDirectory = await FidelityAppBuild.GetAppDirectoryAsync();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            var host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
            {
                AppDirectory = appDirectory,
                Port = 0,
                LocalSettingsPath = System.IO.Path.Combine(appDirectory, "no-local-settings.json"),
                Cors = (string?)start["cors"],
                CorsCredentials = (bool?)start["corsCredentials"],
                LogSink = _hosts.Log.Write,
            });
            await host.DisposeAsync();
        });
        _output.WriteLine(error.Message);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private static JsonNode? Select(JsonNode node, string path)
    {
        JsonNode? current = node;
        foreach (var part in path.Split('.'))
        {
            current = current?[part];
        }

        return current;
    }

    public void Dispose() => _hosts.Log.Attach(null);
}
