using System.Net;
using Azure.Data.Tables;
using JwtFunctions.Accounts;
using JwtFunctions.Hosting;
using JwtFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Tests.Accounts;

[Collection(AzuriteCollection.Name)]
public sealed class LoginThrottleTests(AzuriteFixture azurite)
{
    private static readonly IPAddress Source = IPAddress.Parse("203.0.113.7");
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    private Task<TestServices> StartAsync(int perSource = 3, int perUsername = 100, string window = "00:01:00") =>
        TestServices.StartAsync(azurite, time: _time, overrides: new Dictionary<string, string?>
        {
            ["Throttling:PerSourceLimit"] = perSource.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Throttling:PerUsernameLimit"] = perUsername.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Throttling:Window"] = window,
        });

    private static async Task<TimeSpan?[]> AttemptsAsync(LoginThrottle throttle, IPAddress? source, Func<int, string?> username, int count)
    {
        var results = new TimeSpan?[count];
        for (var i = 0; i < count; i++)
        {
            results[i] = await throttle.TryAcquireAsync(source, username(i), default);
        }

        return results;
    }

    [Fact]
    public async Task ASourceOverItsLimitIsRefusedWhateverTheUsernameUntilTheWindowEnds()
    {
        await using var app = await StartAsync(perSource: 3);
        var throttle = app.Get<LoginThrottle>();

        var results = await AttemptsAsync(throttle, Source, i => "random" + i, 3);
        Assert.All(results, r => Assert.Null(r));

        _time.Now += TimeSpan.FromSeconds(20.5);
        Assert.Equal(TimeSpan.FromSeconds(40), await throttle.TryAcquireAsync(Source, "someone-else", default));
        Assert.Null(await throttle.TryAcquireAsync(IPAddress.Parse("203.0.113.8"), "someone-else", default));

        _time.Now += TimeSpan.FromSeconds(40);
        Assert.Null(await throttle.TryAcquireAsync(Source, "someone-else", default));
    }

    [Fact]
    public async Task AUsernameOverItsLimitIsRefusedFromEverySource()
    {
        await using var app = await StartAsync(perSource: 100, perUsername: 2);
        var throttle = app.Get<LoginThrottle>();

        Assert.Null(await throttle.TryAcquireAsync(IPAddress.Parse("198.51.100.1"), "Alice", default));
        Assert.Null(await throttle.TryAcquireAsync(IPAddress.Parse("198.51.100.2"), "alice", default));

        Assert.Equal(TimeSpan.FromSeconds(60), await throttle.TryAcquireAsync(IPAddress.Parse("198.51.100.3"), "ALICE", default));
        Assert.Null(await throttle.TryAcquireAsync(IPAddress.Parse("198.51.100.3"), "bob", default));
    }

    [Fact]
    public async Task ParallelAttemptsAreEachCountedOnce()
    {
        await using var app = await StartAsync(perSource: 5);
        var throttle = app.Get<LoginThrottle>();

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => throttle.TryAcquireAsync(Source, null, default))));

        Assert.Equal(5, results.Count(r => r is null));
        Assert.Equal(5, (await RowAsync(app, "source:203.0.113.7"))!.Count);
    }

    [Fact]
    public async Task ARefusedAttemptWritesNothing()
    {
        await using var app = await StartAsync(perSource: 1);
        var throttle = app.Get<LoginThrottle>();
        Assert.Null(await throttle.TryAcquireAsync(Source, null, default));
        var before = await RowAsync(app, "source:203.0.113.7");

        Assert.NotNull(await throttle.TryAcquireAsync(Source, null, default));

        var after = await RowAsync(app, "source:203.0.113.7");
        Assert.Equal(before!.ETag, after!.ETag);
        Assert.Equal(1, after.Count);
    }

    [Theory]
    [InlineData(null, "source:unknown")]
    [InlineData("192.0.2.1", "source:192.0.2.1")]
    [InlineData("::ffff:192.0.2.1", "source:192.0.2.1")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "source:2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "source:2001:db8:1:2::/64")]
    public void SourcesAreKeyedByIpv4AddressOrIpv6Slash64(string? address, string key)
    {
        Assert.Equal(key, LoginThrottle.SourceKey(address is null ? null : IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData(0, 10, "00:01:00", "Throttling:PerSourceLimit must be between 1 and 100,000")]
    [InlineData(20, 0, "00:01:00", "Throttling:PerUsernameLimit must be between 1 and 100,000")]
    [InlineData(20, 10, "00:00:00", "Throttling:Window must be between 00:00:01 and 01:00:00")]
    [InlineData(20, 10, "02:00:00", "Throttling:Window must be between 00:00:01 and 01:00:00")]
    public void InvalidLimitsStopTheAppWithAFixItMessage(int perSource, int perUsername, string window, string message)
    {
        var result = new ThrottleOptionsValidator().Validate(null, new ThrottleOptions { PerSourceLimit = perSource, PerUsernameLimit = perUsername, Window = TimeSpan.Parse(window, System.Globalization.CultureInfo.InvariantCulture) });
        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultsAreTwentyPerSourceAndTenPerUsernameAMinute()
    {
        var options = new ThrottleOptions();
        Assert.Equal((20, 10, TimeSpan.FromMinutes(1)), (options.PerSourceLimit, options.PerUsernameLimit, options.Window));
        Assert.True(new ThrottleOptionsValidator().Validate(null, options).Succeeded);
    }

    private static async Task<ThrottleEntity?> RowAsync(TestServices app, string key)
    {
        var table = app.Get<TableServiceClient>().GetTableClient(app.Get<IOptions<StorageOptions>>().Value.ThrottleTable);
        var found = await table.GetEntityIfExistsAsync<ThrottleEntity>(key, ThrottleEntity.Row);
        return found.HasValue ? found.Value : null;
    }
}
