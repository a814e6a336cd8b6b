using System.Net;
using JwtFunctions.Authentication;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.Endpoints;

/// <summary><c>GET /api/openapi.json</c>: the OpenAPI 3.1 document of every endpoint (Endpoints/openapi.json).</summary>
public sealed class OpenApiDocument
{
    private static readonly byte[] Document = ReadDocument();

    [Function(nameof(OpenApiDocument))]
    [AnonymousFunction]
    public Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequestData request) =>
        request.JsonBytesAsync(HttpStatusCode.OK, Document);

    internal static byte[] ReadDocument()
    {
        using var stream = typeof(OpenApiDocument).Assembly.GetManifestResourceStream("openapi.json")
            ?? throw new InvalidOperationException("The openapi.json resource is missing from the build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
