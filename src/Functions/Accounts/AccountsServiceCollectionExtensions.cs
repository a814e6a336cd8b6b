using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Accounts;

public static class AccountsServiceCollectionExtensions
{
    /// <summary>Accounts, password hashing and the token endpoints' logic.</summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services)
    {
        services.AddOptions<AccountOptions>().BindConfiguration(AccountOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AccountOptions>, AccountOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PasswordHasher>();
        services.TryAddSingleton<AccountLockout>();
        services.TryAddSingleton<AccountService>();
        return services;
    }
}
