using System.Net;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.EmptyApp;

/// <summary><c>GET /api/v1.0/empty</c>: the same 200 and body as JwtFunctions' protected endpoint, with no token check.</summary>
public sealed class Empty
{
    private static readonly byte[] Body = """{"username":"benchuser"}"""u8.ToArray();

    [Function(nameof(Empty))]
    public async Task<HttpResponseData> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1.0/empty")] HttpRequestData request)
    {
        var response = request.CreateResponse(HttpStatusCode.OK);
        response.Headers.Add("Content-Type", "application/json; charset=utf-8");
        await response.Body.WriteAsync(Body);
        return response;
    }
}
