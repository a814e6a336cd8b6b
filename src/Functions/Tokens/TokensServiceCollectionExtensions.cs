using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Tokens;

public static class TokensServiceCollectionExtensions
{
    /// <summary>Token creation and validation with the options from the <c>Jwt</c> section.</summary>
    public static IServiceCollection AddJwtTokens(this IServiceCollection services)
    {
        services.AddOptions<JwtOptions>().BindConfiguration(JwtOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TokenService>();
        return services;
    }
}
