using System.Globalization;
using System.Net;
using Azure.Data.Tables;
using JwtFunctions.FunctionsHost;

namespace JwtFunctions.EndToEnd.Tests.Cleanup;

/// <summary>
/// The cleanup timer end to end: the local host schedules the real built worker's
/// <c>Cleanup</c> function from the app setting <c>Cleanup__Schedule</c> (the function's
/// <c>%Cleanup:Schedule%</c>), invokes it with a TimerInfo through the worker's middleware (the
/// Bearer check lets a non-HTTP trigger through), and the function deletes the dead rows on Azurite.
/// </summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class TimerCleanupTests(FunctionsAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output)
{
    [Fact]
    public async Task TheScheduledCleanupDeletesDeadRowsAndKeepsLiveOnes()
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var tables = new Dictionary<string, string>
        {
            ["Storage__UsersTable"] = "Users" + suffix,
            ["Storage__RefreshTokensTable"] = "Tokens" + suffix,
            ["Storage__RevocationsTable"] = "Revoked" + suffix,
        };
        var service = new TableServiceClient(App.StorageConnectionString);
        var revocations = service.GetTableClient(tables["Storage__RevocationsTable"]);
        await revocations.CreateIfNotExistsAsync();
        var now = DateTimeOffset.UtcNow;
        // The layout RevocationStore writes: PartitionKey exp-yyyyMMddHH of ExpiresAt's UTC hour.
        await revocations.AddEntityAsync(Revoked("jti_dead", now.AddHours(-2)));
        await revocations.AddEntityAsync(Revoked("jti_live", now.AddHours(2)));

        var hostLog = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
        {
            AppDirectory = await AppBuild.GetAppDirectoryAsync(),
            Port = 0,
            Environment = new Dictionary<string, string>(tables)
            {
                ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
                ["AzureWebJobsStorage"] = App.StorageConnectionString,
                ["SigningKeys__LocalKey"] = Convert.ToBase64String(App.SigningKey),
                ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = string.Empty,
                ["Cleanup__Schedule"] = "*/1 * * * * *",
            },
            LogSink = line =>
            {
                hostLog.Enqueue(line);
                App.Log.Write(line);
            },
        });

        var timer = Assert.Single(host.TimerFunctions);
        Assert.Equal("Cleanup", timer.Name);
        Assert.Equal("%Cleanup:Schedule%", timer.ScheduleExpression);

        // Wait for a run to finish (every second; generous on a loaded machine), then look at the table.
        const string succeeded = "Executed 'Functions.Cleanup' (Succeeded";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && !hostLog.Any(line => line.Contains(succeeded, StringComparison.Ordinal)))
        {
            await Task.Delay(250);
        }

        var log = string.Join(Environment.NewLine, hostLog);
        Assert.Contains(succeeded, log, StringComparison.Ordinal);
        Assert.DoesNotContain("Executed 'Functions.Cleanup' (Failed", log, StringComparison.Ordinal);
        Assert.False(await ExistsAsync(revocations, "jti_dead"), "a cleanup run finished and the dead deny-list entry is still there");
        Assert.True(await ExistsAsync(revocations, "jti_live"));

        // The HTTP side of the same host is unaffected.
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        using var protectedWithoutToken = await client.GetAsync("api/v1.0/protected");
        Assert.Equal(HttpStatusCode.Unauthorized, protectedWithoutToken.StatusCode);
    }

    private static TableEntity Revoked(string rowKey, DateTimeOffset expiresAt) =>
        new("exp-" + expiresAt.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture), rowKey)
        {
            ["Subject"] = "alice",
            ["ExpiresAt"] = expiresAt,
        };

    private static async Task<bool> ExistsAsync(TableClient table, string rowKey)
    {
        await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {rowKey}"), select: ["RowKey"]))
        {
            return true;
        }

        return false;
    }
}
