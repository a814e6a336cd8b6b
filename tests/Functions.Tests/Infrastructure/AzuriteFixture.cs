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

    public TableServiceClient CreateServiceClient()
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
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
