using JwtFunctions.Accounts;
using JwtFunctions.Hosting;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Tests.Infrastructure;

/// <summary>Stores on fresh, uniquely named tables in the shared Azurite, so tests never see each other's rows.</summary>
public sealed class TestStorage(AzuriteFixture azurite)
{
    private readonly StorageOptions _options = new()
    {
        UsersTable = "Users" + Guid.NewGuid().ToString("N")[..10],
        RefreshTokensTable = "Tokens" + Guid.NewGuid().ToString("N")[..10],
    };

    public StorageOptions Options => _options;

    public UserStore Users() => new(azurite.CreateServiceClient(), Microsoft.Extensions.Options.Options.Create(_options));

    public RefreshTokenStore RefreshTokens(TimeProvider? time = null, Azure.Core.Pipeline.HttpPipelinePolicy? policy = null) =>
        new(azurite.CreateServiceClient(policy), Microsoft.Extensions.Options.Options.Create(_options), time ?? TimeProvider.System);
}
