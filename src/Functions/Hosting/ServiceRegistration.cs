using Azure.Core;
using Azure.Identity;
using JwtFunctions.Accounts;
using JwtFunctions.Admin;
using JwtFunctions.Authentication;
using JwtFunctions.Cleanup;
using JwtFunctions.Endpoints;
using JwtFunctions.Revocation;
using JwtFunctions.SigningKeys;
using JwtFunctions.Tokens;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Hosting;

/// <summary>The app's one registration entry, used by Program.cs, the tests and the benchmarks.</summary>
public static class JwtFunctionsServiceCollectionExtensions
{
    /// <summary>Every service of the app: telemetry, signing keys, tokens, storage, revocation, accounts, user administration, health, Bearer checks.</summary>
    public static IServiceCollection AddJwtFunctions(this IServiceCollection services, IConfiguration configuration) =>
        services
            // ASP.NET Core's per-request lines (request starting/finished, endpoint executing) would
            // double every invocation's log and telemetry; its warnings and errors still come through.
            .AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning))
            .AddMetrics()
            .AddTelemetry(configuration)
            .AddSigningKeys()
            .AddJwtTokens()
            .AddTableStorage()
            .AddRevocation()
            .AddAccounts()
            .AddCleanup()
            .AddUserAdministration(configuration)
            .AddHealthProbe()
            .AddBearerAuthentication();
}

public static class OptionsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to its configuration section and checks it with
    /// <typeparamref name="TValidator"/> when the app starts, so a misconfiguration stops the app
    /// with the validator's message instead of failing on the first request.
    /// </summary>
    public static IServiceCollection AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, string sectionName)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().BindConfiguration(sectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}

public static class TelemetryServiceCollectionExtensions
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>
    /// Application Insights through the worker's package when a connection string is set (in Azure);
    /// nothing locally. With <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> = <c>ClientId=...;Authorization=AAD</c>
    /// telemetry is sent with the managed identity (Entra auth), since the resource has local auth disabled.
    /// </summary>
    internal static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration[ConnectionStringSetting]))
        {
            return services;
        }

        services.AddApplicationInsightsTelemetryWorkerService();
        services.ConfigureFunctionsApplicationInsights();

        var authentication = ParseAuthenticationString(configuration[AuthenticationStringSetting]);
        if (authentication.TryGetValue("Authorization", out var mode) && string.Equals(mode, "AAD", StringComparison.OrdinalIgnoreCase))
        {
            authentication.TryGetValue("ClientId", out var clientId);
            services.Configure<TelemetryConfiguration>(telemetry => telemetry.SetAzureTokenCredential(
                string.IsNullOrEmpty(clientId) ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned) : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))));
        }

        return services;
    }

    /// <summary><c>Key=Value;Key=Value</c>, keys case-insensitive.</summary>
    public static Dictionary<string, string> ParseAuthenticationString(string? value) =>
        (value ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(pair => pair.Length == 2 && pair[0].Length > 0)
            .GroupBy(pair => pair[0], StringComparer.OrdinalIgnoreCase)
            .ToDictionary(group => group.Key, group => group.Last()[1], StringComparer.OrdinalIgnoreCase);
}

/// <summary>The one way this app gets an Entra ID credential for Key Vault and Table Storage.</summary>
public static class AzureCredentials
{
    /// <summary>
    /// <see cref="DefaultAzureCredential"/>: the managed identity in Azure (the user-assigned one
    /// named by <paramref name="managedIdentityClientId"/>, else <c>AZURE_CLIENT_ID</c>, else the
    /// system-assigned one), a developer's Azure CLI / Visual Studio sign-in locally.
    /// </summary>
    public static TokenCredential Create(string? managedIdentityClientId) =>
        new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = managedIdentityClientId });
}
