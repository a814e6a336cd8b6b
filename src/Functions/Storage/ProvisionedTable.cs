using Azure.Data.Tables;

namespace JwtFunctions.Storage;

/// <summary>A table client whose table is created on first use, once per process.</summary>
internal sealed class ProvisionedTable(TableClient client)
{
    private volatile bool _created;

    public string Name => client.Name;

    public async ValueTask<TableClient> GetAsync(CancellationToken cancellationToken)
    {
        if (!_created)
        {
            await client.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            _created = true;
        }

        return client;
    }
}
