using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;

namespace JwtFunctions.Tests.Infrastructure;

/// <summary>
/// The real Azurite table service (the repository's npm dependency), on a free loopback port with
/// in-memory persistence, one per test collection. No mocks of the table client.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private Azurite? _azurite;

    public string ConnectionString => _azurite!.ConnectionString;

    /// <param name="policy">Runs before each request is sent (e.g. to interleave another operation).</param>
    public TableServiceClient CreateServiceClient(HttpPipelinePolicy? policy = null)
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        if (policy is not null)
        {
            options.AddPolicy(policy, HttpPipelinePosition.PerCall);
        }

        return new TableServiceClient(ConnectionString, options);
    }

    public async Task InitializeAsync() => _azurite = await Azurite.StartAsync(RepositoryRoot.Path, new TestLog());

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
