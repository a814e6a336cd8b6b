using Azure;
using JwtFunctions.Hosting;

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
}
