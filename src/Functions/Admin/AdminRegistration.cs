using JwtFunctions.Accounts;
using JwtFunctions.Hosting;
using JwtFunctions.Revocation;
using JwtFunctions.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JwtFunctions.Admin;

public static class AdminServiceCollectionExtensions
{
    /// <summary>
    /// User administration and exactly what it needs: Table Storage (<c>AzureWebJobsStorage</c> as
    /// a connection string, or <c>AzureWebJobsStorage__tableServiceUri</c> with an Entra ID
    /// credential), the password hasher and its rule, the revocation store. No signing key and no
    /// background services, so a console tool can build it from configuration alone:
    /// <code>new ServiceCollection().AddLogging().AddSingleton&lt;IConfiguration&gt;(config).AddUserAdministration(config)</code>
    /// and get the very stores and hashing the app uses. Give it the app's <c>Storage:*</c>,
    /// <c>Accounts:*</c> and <c>Jwt:AccessTokenLifetime</c> / <c>Jwt:ClockSkew</c> settings when they
    /// differ from the defaults. <c>AddJwtFunctions</c> calls it.
    /// </summary>
    public static IServiceCollection AddUserAdministration(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(configuration);
        services.AddLogging();
        services.AddValidatedOptions<JwtOptions, JwtOptionsValidator>(JwtOptions.SectionName);
        services.AddTableStorage();
        services.AddValidatedOptions<AccountOptions, AccountOptionsValidator>(AccountOptions.SectionName);
        services.TryAddSingleton<PasswordHashGate>();
        services.TryAddSingleton<PasswordHasher>();
        services.AddValidatedOptions<RevocationOptions, RevocationOptionsValidator>(RevocationOptions.SectionName);
        services.TryAddSingleton<RevocationList>();
        services.TryAddSingleton<UserTokenRevoker>();
        services.TryAddSingleton<UserAdministration>();
        return services;
    }
}
