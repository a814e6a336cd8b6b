using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.Tests.Infrastructure;

/// <summary>
/// Minimal worker HTTP types, to call function classes directly. The real worker path (middleware,
/// gRPC, routing) is covered by the end-to-end tests through the local Functions host.
/// </summary>
public sealed class TestFunctionContext : FunctionContext
{
    public override string InvocationId { get; } = Guid.NewGuid().ToString();
    public override string FunctionId { get; } = "test";
    public override TraceContext TraceContext => throw new NotSupportedException();
    public override BindingContext BindingContext => throw new NotSupportedException();
    public override RetryContext RetryContext => throw new NotSupportedException();
    public override IServiceProvider InstanceServices { get; set; } = null!;
    public override FunctionDefinition FunctionDefinition => throw new NotSupportedException();
    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
    public override IInvocationFeatures Features => throw new NotSupportedException();
}

public sealed class TestHttpRequest : HttpRequestData
{
    public TestHttpRequest(FunctionContext context, string method, byte[]? body = null, string? contentType = "application/json")
        : base(context)
    {
        Method = method;
        Body = new MemoryStream(body ?? []);
        if (contentType is not null && body is not null)
        {
            Headers.Add("Content-Type", contentType);
        }
    }

    public static TestHttpRequest Json(string method, string json) => new(new TestFunctionContext(), method, Encoding.UTF8.GetBytes(json));

    public override Stream Body { get; }
    public override HttpHeadersCollection Headers { get; } = [];
    public override IReadOnlyCollection<IHttpCookie> Cookies { get; } = [];
    public override Uri Url { get; } = new("http://localhost/api/test");
    public override IEnumerable<ClaimsIdentity> Identities { get; } = [];
    public override string Method { get; }

    public override HttpResponseData CreateResponse() => new TestHttpResponse(FunctionContext);
}

public sealed class TestHttpResponse(FunctionContext context) : HttpResponseData(context)
{
    public override HttpStatusCode StatusCode { get; set; } = HttpStatusCode.OK;
    public override HttpHeadersCollection Headers { get; set; } = [];
    public override Stream Body { get; set; } = new MemoryStream();
    public override HttpCookies Cookies => throw new NotSupportedException();

    public static JsonElement JsonOf(HttpResponseData response)
    {
        response.Body.Position = 0;
        return JsonDocument.Parse(response.Body).RootElement.Clone();
    }

    public static string Header(HttpResponseData response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : "(none)";
}
