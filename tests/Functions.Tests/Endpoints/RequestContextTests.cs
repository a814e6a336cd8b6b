using System.Net;
using System.Security.Claims;
using JwtFunctions.Authentication;
using JwtFunctions.Endpoints;
using JwtFunctions.TestSupport;
using JwtFunctions.Tests.Infrastructure;
using JwtFunctions.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Tests.Endpoints;

/// <summary>
/// Under ASP.NET Core integration the worker's <see cref="HttpRequestData.Headers"/> and
/// <see cref="HttpResponseData.Headers"/> copy every header into collections of their own on first
/// use (and the response's back again when it starts): on the protected path the app reads and
/// writes <c>HttpContext</c> directly. The request and response here refuse that copy, as a
/// stand-in for its cost; the worker puts its <c>HttpContext</c> in <see cref="FunctionContext.Items"/>
/// under "HttpRequestContext" (Worker.Extensions.Http.AspNetCore's Constants.HttpContextKey), as here.
/// </summary>
public sealed class RequestContextTests
{
    private const string WorkerHttpContextKey = "HttpRequestContext";

    [Theory]
    [InlineData("headers", "GET")]
    [InlineData("cookies", "GET")]
    [InlineData("cookies", "POST")]
    [InlineData("headers,cookies", "DELETE")]
    public async Task TheTokenAndCsrfHeaderAreReadFromHttpContextWithoutTheWorkersHeaderCopy(string location, string method)
    {
        var options = new JwtOptions { TokenLocation = location };
        var tokens = await TestKeys.TokenServiceAsync(options: options);
        var keys = (await tokens.GetKeysAsync(default))!;
        var token = tokens.CreateRefreshToken(keys, "alice", "session", Guid.NewGuid().ToString("N")).Value;
        var csrf = (await tokens.ValidateAsync(token, TokenKind.Refresh, default)).Principal!.Csrf;

        var http = new DefaultHttpContext();
        http.Request.Method = method;
        if (options.UsesCookies())
        {
            http.Request.Headers.Cookie = $"csrf_refresh_token={csrf}; {TokenSource.RefreshCookie}={token}";
            http.Request.Headers[TokenSource.CsrfHeader] = csrf;
        }
        else
        {
            http.Request.Headers.Authorization = "Bearer " + token;
        }

        var context = new FakeFunctionContext();
        context.Items[WorkerHttpContextKey] = http;
        var source = new TokenSource(new BearerAuthenticator(tokens, TestKeys.UnloadedRevocationList()), Options.Create(options));

        var outcome = await source.AuthenticateAsync(new CopyRefusingRequest(context, method), TokenKind.Refresh, default);

        Assert.Equal("alice", outcome.Principal?.Subject);
    }

    [Fact]
    public async Task TwoAuthorizationHeadersInHttpContextAreRefusedEvenWhenOneIsAValidBearerToken()
    {
        // Joined as one value, "Basic x,Bearer <token>" would be no Bearer credentials at all and the
        // cookie would be read instead: two headers must be refused as they came.
        var options = new JwtOptions { TokenLocation = "headers,cookies" };
        var tokens = await TestKeys.TokenServiceAsync(options: options);
        var keys = (await tokens.GetKeysAsync(default))!;
        var token = tokens.CreateRefreshToken(keys, "alice", "session", Guid.NewGuid().ToString("N")).Value;
        var http = new DefaultHttpContext();
        http.Request.Headers.Authorization = new(["Basic eDp5", "Bearer " + token]);
        http.Request.Headers.Cookie = $"{TokenSource.RefreshCookie}={token}";
        var context = new FakeFunctionContext();
        context.Items[WorkerHttpContextKey] = http;
        var source = new TokenSource(new BearerAuthenticator(tokens, TestKeys.UnloadedRevocationList()), Options.Create(options));

        var outcome = await source.AuthenticateAsync(new CopyRefusingRequest(context, "GET"), TokenKind.Refresh, default);

        Assert.Null(outcome.Principal);
        Assert.Equal(TokenFailure.Malformed, outcome.Failure);
    }

    [Fact]
    public async Task JsonResponsesGoToHttpContextWithEveryHeaderAndWithoutTheWorkersHeaderCopy()
    {
        var http = new DefaultHttpContext();
        var body = new MemoryStream();
        http.Response.Body = body;
        var context = new FakeFunctionContext();
        context.Items[WorkerHttpContextKey] = http;
        var request = new CopyRefusingRequest(context, "POST");

        var response = await request.JsonAsync(HttpStatusCode.Created, new UsernameResponse("alice"), ApiJsonContext.Default.UsernameResponse,
            ("Cache-Control", "no-store"), ("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; Path=/"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(201, http.Response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", http.Response.ContentType);
        Assert.Equal("no-store", http.Response.Headers.CacheControl.ToString());
        Assert.Equal("a=1; Path=/,b=2; Path=/", string.Join(",", http.Response.Headers.SetCookie.ToArray()));
        Assert.Equal(2, http.Response.Headers.SetCookie.Count);
        Assert.Equal("""{"username":"alice"}""", System.Text.Encoding.UTF8.GetString(body.ToArray()));
        Assert.Equal(body.Length, http.Response.ContentLength);
    }

    /// <summary>The worker's AspNetCoreHttpRequestData in the respects that matter here; its headers must not be read.</summary>
    private sealed class CopyRefusingRequest(FunctionContext context, string method) : HttpRequestData(context)
    {
        public override Stream Body { get; } = new MemoryStream();
        public override HttpHeadersCollection Headers => throw new InvalidOperationException("HttpRequestData.Headers copies every request header; read HttpContext.Request.Headers.");
        public override IReadOnlyCollection<IHttpCookie> Cookies => [];
        public override Uri Url { get; } = new("http://localhost/api/test");
        public override IEnumerable<ClaimsIdentity> Identities => [];
        public override string Method { get; } = method;

        public override HttpResponseData CreateResponse() => new CopyRefusingResponse(FunctionContext, FunctionContext.GetHttpContext()!.Response);
    }

    /// <summary>As AspNetCoreHttpResponseData: status and body are the server response's own; its headers must not be touched.</summary>
    private sealed class CopyRefusingResponse(FunctionContext context, HttpResponse server) : HttpResponseData(context)
    {
        public override HttpStatusCode StatusCode { get => (HttpStatusCode)server.StatusCode; set => server.StatusCode = (int)value; }

        public override HttpHeadersCollection Headers
        {
            get => throw new InvalidOperationException("HttpResponseData.Headers copies every response header; write HttpContext.Response.Headers.");
            set => throw new InvalidOperationException("HttpResponseData.Headers copies every response header; write HttpContext.Response.Headers.");
        }

        public override Stream Body { get => server.Body; set => server.Body = value; }
        public override HttpCookies Cookies => throw new NotSupportedException();
    }
}
