using Azure;
using Azure.Data.Tables;
using Azure.Identity;
using JwtFunctions.Admin;
using JwtFunctions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JwtFunctions.AdminTool;

/// <summary>
/// The Table Storage the tool works on, in the app's own two forms (<see cref="StorageOptions"/>):
/// a connection string (<c>--connection-string</c>, else the <c>AzureWebJobsStorage</c> environment
/// variable; Azurite: <c>UseDevelopmentStorage=true</c>), or a table endpoint (<c>--table-endpoint</c>,
/// else <c>AzureWebJobsStorage__tableServiceUri</c>) reached with <c>DefaultAzureCredential</c>, that
/// is the caller's own Azure sign-in (<c>az login</c>, <c>azd auth login</c>). Other app settings
/// (<c>Storage__*</c> table names, <c>Accounts__*</c> hashing) come from the environment as in the app.
/// </summary>
public sealed class StorageTarget : IAsyncDisposable
{
    /// <summary>Storage Table Data Contributor: read, write and create tables (Azure built-in roles, Learn, "Storage").</summary>
    public const string RequiredRole = "Storage Table Data Contributor";

    private readonly ServiceProvider _services;

    private StorageTarget(ServiceProvider services, string accountName, bool usesAzureSignIn)
    {
        _services = services;
        AccountName = accountName;
        UsesAzureSignIn = usesAzureSignIn;
    }

    public string AccountName { get; }

    public bool UsesAzureSignIn { get; }

    public UserAdministration Users => _services.GetRequiredService<UserAdministration>();

    /// <summary>The target from the options and the environment, or <c>null</c> with the usage error written to stderr.</summary>
    public static StorageTarget? Open(string? connectionString, string? tableEndpoint)
    {
        if (connectionString is not null && tableEndpoint is not null)
        {
            Console.Error.WriteLine("Give either --connection-string or --table-endpoint, not both.");
            return null;
        }

        var overrides = new Dictionary<string, string?>();
        if (connectionString is not null)
        {
            overrides[StorageOptions.ConnectionName] = connectionString;
        }
        else if (tableEndpoint is not null)
        {
            if (!Uri.TryCreate(tableEndpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme != Uri.UriSchemeHttps)
            {
                Console.Error.WriteLine("--table-endpoint must be an https:// URI, e.g. https://<account>.table.core.windows.net.");
                return null;
            }

            // The endpoint wins over a connection string in the environment.
            overrides[StorageOptions.ConnectionName] = string.Empty;
            overrides[$"{StorageOptions.ConnectionName}:tableServiceUri"] = tableEndpoint;
        }

        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddInMemoryCollection(overrides).Build();
        var section = configuration.GetSection(StorageOptions.ConnectionName);
        var usesConnectionString = !string.IsNullOrWhiteSpace(section.Value);
        if (!usesConnectionString && !Uri.TryCreate(section["tableServiceUri"], UriKind.Absolute, out _))
        {
            Console.Error.WriteLine("Say where the users are: --connection-string '<connection string>' (Azurite: UseDevelopmentStorage=true) "
                + "or --table-endpoint https://<account>.table.core.windows.net (with your Azure sign-in), "
                + "or set AzureWebJobsStorage / AzureWebJobsStorage__tableServiceUri.");
            return null;
        }

        TableServiceClient client;
        try
        {
            client = StorageServiceCollectionExtensions.CreateTableServiceClient(configuration);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            // The SDK's parse errors do not quote the connection string, which may hold a key.
            Console.Error.WriteLine("The storage connection string is not valid: " + e.Message);
            return null;
        }

        var services = new ServiceCollection()
            .AddLogging(logging => logging.ClearProviders().AddProvider(new AuditLoggerProvider()))
            .AddSingleton(client)
            .AddUserAdministration(configuration)
            .BuildServiceProvider();
        return new StorageTarget(services, client.AccountName, !usesConnectionString);
    }

    /// <summary>The exit code and fixed message of a failure talking to storage, or <c>null</c> for anything unexpected.</summary>
    public (int Code, string Message)? Describe(Exception exception) => exception switch
    {
        RequestFailedException { Status: 403, ErrorCode: "KeyBasedAuthenticationNotPermitted" } => (ExitCodes.AccessDenied,
            $"Storage account '{AccountName}' accepts no account keys: use --table-endpoint https://{AccountName}.table.core.windows.net with your Azure sign-in."),
        RequestFailedException { Status: 403, ErrorCode: "AuthenticationFailed" } when !UsesAzureSignIn => (ExitCodes.AccessDenied,
            $"Storage account '{AccountName}' refused the connection string's key or SAS (403 AuthenticationFailed)."),
        RequestFailedException { Status: 403 } e => (ExitCodes.AccessDenied,
            $"Access denied by Table Storage (403 {e.ErrorCode}): your identity needs the '{RequiredRole}' role on storage account '{AccountName}'. "
            + "Assignments take a few minutes to apply (README, \"After deploy: create the first admin\")."),
        AuthenticationFailedException => (ExitCodes.AccessDenied,
            "No Azure sign-in could be used for Table Storage: run `az login` (or `azd auth login`) as a principal with the "
            + $"'{RequiredRole}' role on storage account '{AccountName}'."),
        RequestFailedException { Status: 0 } or AggregateException { InnerExceptions: [RequestFailedException { Status: 0 }, ..] } => (ExitCodes.Failed,
            $"Table Storage of account '{AccountName}' could not be reached (is it running, and does this network reach it?)."),
        RequestFailedException e => (ExitCodes.Failed, $"Table Storage of account '{AccountName}' answered {e.Status} {e.ErrorCode}."),
        OptionsValidationException e => (ExitCodes.Usage, "Settings are not valid: " + string.Join(" ", e.Failures)),
        _ => null,
    };

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

/// <summary>
/// The audit events of <see cref="UserAdministration"/> (and any warning) on stderr, one line each,
/// so the operator sees what was recorded and under which actor. Never an exception's stack.
/// </summary>
internal sealed class AuditLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new AuditLogger(categoryName.StartsWith("JwtFunctions.", StringComparison.Ordinal) ? LogLevel.Information : LogLevel.Warning);

    public void Dispose()
    {
    }

    private sealed class AuditLogger(LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Console.Error.WriteLine(formatter(state, null));
            }
        }
    }
}
