using System.Net;
using JwtFunctions.Http;
using JwtFunctions.Middleware;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.Functions;

/// <summary><c>GET /api/v1.0/protected</c>: who the access token speaks for, as the seed's <c>{"username"}</c>.</summary>
public sealed class Protected
{
    [Function(nameof(Protected))]
    public Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1.0/protected")] HttpRequestData request,
        FunctionContext context) =>
        request.JsonAsync(HttpStatusCode.OK, new UsernameResponse(context.GetRequiredTokenPrincipal().Subject), ApiJsonContext.Default.UsernameResponse);
}
