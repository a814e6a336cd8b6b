using JwtFunctions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JwtFunctions.Accounts;

public static class AccountsServiceCollectionExtensions
{
    /// <summary>Accounts, password hashing and the token endpoints' logic.</summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services)
    {
        services.AddValidatedOptions<AccountOptions, AccountOptionsValidator>(AccountOptions.SectionName);
        services.TryAddSingleton<PasswordHasher>();
        services.TryAddSingleton<AccountLockout>();
        services.TryAddSingleton<AccountService>();
        return services;
    }
}
