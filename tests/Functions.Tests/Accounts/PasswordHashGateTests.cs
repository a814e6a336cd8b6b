using System.Net;
using JwtFunctions.Accounts;
using JwtFunctions.Hosting;
using JwtFunctions.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static JwtFunctions.TestSupport.FakeHttpResponse;

namespace JwtFunctions.Tests.Accounts;

/// <summary>
/// The per-instance bound on concurrent password hashes. No test waits on a clock: the queue
/// timeout runs on <see cref="ManualTimers"/>, which fires only when the test says so.
/// </summary>
public sealed class PasswordHashGateTests
{
    private static PasswordHashGate Gate(int slots, TimeSpan queueTimeout, TimeProvider? time = null) =>
        new(Options.Create(new AccountOptions { MaxConcurrentPasswordHashes = slots, PasswordHashQueueTimeout = queueTimeout }), time);

    [Fact]
    public async Task NoMoreThanTheConfiguredNumberOfSlotsAreHandedOut()
    {
        using var gate = Gate(2, TimeSpan.FromSeconds(5), new ManualTimers());

        using var first = await gate.EnterAsync(default);
        using var second = await gate.EnterAsync(default);
        var third = gate.EnterAsync(default).AsTask();

        Assert.Equal(0, gate.Available);
        Assert.False(third.IsCompleted);
        first.Dispose();
        (await third).Dispose();
        Assert.Equal(1, gate.Available);
    }

    [Fact]
    public async Task WaiterThatOutlastsTheQueueTimeoutIsRefusedWithCapacityException()
    {
        var timers = new ManualTimers();
        using var gate = Gate(1, TimeSpan.FromSeconds(5), timers);
        using var busy = await gate.EnterAsync(default);

        var waiting = gate.EnterAsync(default).AsTask();
        Assert.False(waiting.IsCompleted);
        timers.FireAll();

        await Assert.ThrowsAsync<PasswordHashCapacityException>(() => waiting);
        Assert.Equal(0, gate.Available);
    }

    [Fact]
    public async Task ZeroQueueTimeoutRefusesAtOnceWhenEverySlotIsBusy()
    {
        using var gate = Gate(1, TimeSpan.Zero);
        using var busy = await gate.EnterAsync(default);

        await Assert.ThrowsAsync<PasswordHashCapacityException>(() => gate.EnterAsync(default).AsTask());
    }

    [Fact]
    public async Task CallerCancellationIsACancellationNotACapacityRefusal()
    {
        using var gate = Gate(1, TimeSpan.FromSeconds(5), new ManualTimers());
        using var busy = await gate.EnterAsync(default);
        using var cancel = new CancellationTokenSource();

        var waiting = gate.EnterAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task HasherTakesASlotForEveryHashOnTheRequestPath()
    {
        using var gate = Gate(1, TimeSpan.Zero);
        var hasher = new PasswordHasher(Options.Create(new AccountOptions()), gate);
        var stored = hasher.Hash("a long enough password");

        using (await gate.EnterAsync(default))
        {
            await Assert.ThrowsAsync<PasswordHashCapacityException>(() => hasher.HashAsync("a long enough password", default).AsTask());
            await Assert.ThrowsAsync<PasswordHashCapacityException>(() => hasher.VerifyAsync("a long enough password", stored, default).AsTask());
            await Assert.ThrowsAsync<PasswordHashCapacityException>(() => hasher.VerifyAgainstDummyAsync("a long enough password", default).AsTask());
        }

        Assert.Equal(PasswordVerification.Succeeded, await hasher.VerifyAsync("a long enough password", stored, default));
        Assert.Equal(1, gate.Available);
    }

    [Fact]
    public async Task ExhaustedHashingSlotsBecome503TemporarilyUnavailableWithRetryAfter()
    {
        var context = new FakeFunctionContext();
        context.Attach(new FakeHttpRequest(context, "POST"));
        var middleware = new ExceptionHandlingMiddleware(NullLogger<ExceptionHandlingMiddleware>.Instance);

        await middleware.Invoke(context, _ => throw new PasswordHashCapacityException());

        var response = Assert.IsAssignableFrom<Microsoft.Azure.Functions.Worker.Http.HttpResponseData>(context.InvocationResult);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("5", Header(response, "Retry-After"));
        Assert.Equal("temporarily_unavailable", JsonOf(response).GetProperty("error").GetString());
    }
}
