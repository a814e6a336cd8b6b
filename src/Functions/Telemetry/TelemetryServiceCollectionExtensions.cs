using Azure.Identity;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace JwtFunctions.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>
    /// Application Insights through the worker's package when a connection string is set (in Azure);
    /// nothing locally. With <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> = <c>ClientId=...;Authorization=AAD</c>
    /// telemetry is sent with the managed identity (Entra auth), since the resource has local auth disabled.
    /// </summary>
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
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
