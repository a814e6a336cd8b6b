using JwtFunctions.Hosting;
using Azure.Data.Tables;
using JwtFunctions.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Table Storage for users and refresh tokens, through the Functions storage setting.</summary>
    public static IServiceCollection AddTableStorage(this IServiceCollection services)
    {
        services.AddValidatedOptions<StorageOptions, StorageOptionsValidator>(StorageOptions.SectionName);
        services.TryAddSingleton(provider => CreateTableServiceClient(provider.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton<UserStore>();
        services.TryAddSingleton<RefreshTokenStore>();
        services.TryAddSingleton<RevocationStore>();
        return services;
    }

    /// <summary>
    /// <c>AzureWebJobsStorage</c> as a connection string, or the identity-based form the Functions
    /// host also understands: <c>AzureWebJobsStorage__tableServiceUri</c> (+ <c>__clientId</c> for a
    /// user-assigned identity).
    /// </summary>
    public static TableServiceClient CreateTableServiceClient(IConfiguration configuration)
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);

        var section = configuration.GetSection(StorageOptions.ConnectionName);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return new TableServiceClient(section.Value, options);
        }

        if (Uri.TryCreate(section["tableServiceUri"], UriKind.Absolute, out var endpoint))
        {
            return new TableServiceClient(endpoint, AzureCredentials.Create(section["clientId"]), options);
        }

        throw new OptionsValidationException(StorageOptions.ConnectionName, typeof(StorageOptions),
            ["Table Storage is not configured. Set AzureWebJobsStorage to a connection string (UseDevelopmentStorage=true with Azurite), "
            + "or AzureWebJobsStorage__tableServiceUri to https://<account>.table.core.windows.net with a managed identity."]);
    }
}
