using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// GET /api/openapi.json describes exactly the HTTP functions the app has: every route and method
/// in the build's functions.metadata is in the document, and the document names nothing else.
/// </summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class OpenApiDocumentTests(FunctionsAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output)
{
    [Fact]
    public async Task TheDocumentNamesEveryFunctionRouteAndMethodAndNoOther()
    {
        var document = await GetDocumentAsync();
        var routePrefix = "/" + App.Host.RoutePrefix;
        var server = document["servers"]![0]!["url"]!.GetValue<string>();
        Assert.Equal(routePrefix, server);

        var documented = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation => $"{operation.Key.ToUpperInvariant()} /{path.Key.TrimStart('/')}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        var metadata = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(await AppBuild.GetAppDirectoryAsync(), "functions.metadata")))!.AsArray()
            .SelectMany(function => function!["bindings"]!.AsArray())
            .Where(binding => binding!["type"]!.GetValue<string>() == "httpTrigger")
            .SelectMany(binding => binding!["methods"]!.AsArray().Select(method => $"{method!.GetValue<string>().ToUpperInvariant()} /{binding["route"]!.GetValue<string>()}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(metadata, documented);
    }

    [Fact]
    public async Task TheDocumentIsOpenApi31AndEveryReferenceResolves()
    {
        var document = await GetDocumentAsync();
        Assert.Equal("3.1.0", document["openapi"]!.GetValue<string>());
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>());

        var references = new List<string>();
        Collect(document, references);
        Assert.NotEmpty(references);
        foreach (var reference in references.Distinct())
        {
            Assert.StartsWith("#/", reference);
            JsonNode? target = document;
            foreach (var segment in reference[2..].Split('/'))
            {
                target = target?[segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
            }

            Assert.True(target is not null, $"{reference} does not resolve");
        }
    }

    [Fact]
    public async Task EveryOperationThatNeedsATokenAnswers401WithAChallenge()
    {
        var document = await GetDocumentAsync();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                // No requirement, or an empty one among the alternatives (OpenAPI 3.1 §4.8.30): a token is optional.
                var anonymous = operation!["security"] is JsonArray security && (security.Count == 0 || security.Any(r => r is JsonObject { Count: 0 }));
                var responses = operation["responses"]!.AsObject();
                Assert.True(anonymous || responses.ContainsKey("401"), $"{method} {path} needs a token but documents no 401");
            }
        }

        var unauthorized = document["components"]!["responses"]!["Unauthorized"]!;
        Assert.NotNull(unauthorized["headers"]!["WWW-Authenticate"]);
    }

    /// <summary>The operations that take a password are throttled (README, "Throttling"): 429 with Retry-After.</summary>
    [Theory]
    [InlineData("/v1.0/register")]
    [InlineData("/v1.0/login")]
    [InlineData("/v1.0/password")]
    public async Task EveryOperationThatTakesAPasswordDocuments429WithRetryAfter(string path)
    {
        var document = await GetDocumentAsync();
        var reference = document["paths"]![path]!["post"]!["responses"]!["429"]?["$ref"]?.GetValue<string>();
        Assert.Equal("#/components/responses/TooManyRequests", reference);
        var tooMany = document["components"]!["responses"]!["TooManyRequests"]!;
        Assert.Equal("#/components/headers/Retry-After", tooMany["headers"]!["Retry-After"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/ErrorResponse", tooMany["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
    }

    [Fact]
    public async Task EveryOperationThatRequiresARoleOrScopeAnswers403WithAChallenge()
    {
        var document = await GetDocumentAsync();
        var guarded = document["paths"]!.AsObject()
            .Where(path => path.Key.StartsWith("/v1.0/admin/", StringComparison.Ordinal) || path.Key.StartsWith("/v1.0/reports/", StringComparison.Ordinal))
            .SelectMany(path => path.Value!.AsObject().Select(operation => (Name: $"{operation.Key} {path.Key}", Operation: operation.Value!)))
            .ToList();

        Assert.Equal(7, guarded.Count); // admin: create, list, get, delete, roles, action; reports: export
        Assert.All(guarded, g => Assert.Equal("#/components/responses/Forbidden", g.Operation["responses"]!["403"]?["$ref"]?.GetValue<string>()));
        Assert.NotNull(document["components"]!["responses"]!["Forbidden"]!["headers"]!["WWW-Authenticate"]);
    }

    private async Task<JsonNode> GetDocumentAsync()
    {
        using var response = await Client.GetAsync("api/openapi.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static void Collect(JsonNode? node, List<string> references)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "$ref" && value is JsonValue reference)
                    {
                        references.Add(reference.GetValue<string>());
                    }
                    else
                    {
                        Collect(value, references);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Collect(item, references);
                }

                break;
        }
    }
}
