using System.Net;
using Azure;
using JwtFunctions.Hosting;
using JwtFunctions.SigningKeys;
using JwtFunctions.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using static JwtFunctions.TestSupport.FakeHttpResponse;

namespace JwtFunctions.Tests.Hosting;

public sealed class ExceptionHandlingMiddlewareTests
{
    public static TheoryData<Exception, bool> Cases() => new()
    {
        { new RequestFailedException(0, "no response"), true },
        { new RequestFailedException(503, "unavailable"), true },
        { new RequestFailedException(500, "internal"), true },
        { new RequestFailedException(429, "throttled"), true },
        { new RequestFailedException(400, "our bug"), false },
        { new RequestFailedException(403, "forbidden"), false },
        { new HttpRequestException("connection refused"), true },
        { new InvalidOperationException("wrapper", new HttpRequestException("inner")), true },
        { new AggregateException(new TimeoutException()), true },
        { new InvalidOperationException("a bug"), false },
        { new NullReferenceException(), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void OnlyDependencyOutagesBecome503(Exception exception, bool isOutage)
    {
        Assert.Equal(isOutage, ExceptionHandlingMiddleware.FindDependencyFailure(exception) is not null);
    }

    [Fact]
    public async Task ALastSigningKeyExpiringMidRequestBecomes503TemporarilyUnavailableWithRetryAfter()
    {
        var context = new FakeFunctionContext();
        context.Attach(new FakeHttpRequest(context, "POST"));
        var middleware = new ExceptionHandlingMiddleware(NullLogger<ExceptionHandlingMiddleware>.Instance);

        await middleware.Invoke(context, _ => throw new SigningKeyUnavailableException());

        var response = Assert.IsAssignableFrom<Microsoft.Azure.Functions.Worker.Http.HttpResponseData>(context.InvocationResult);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("5", Header(response, "Retry-After"));
        Assert.Equal("temporarily_unavailable", JsonOf(response).GetProperty("error").GetString());
    }
}
