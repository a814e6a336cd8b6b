using JwtFunctions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JwtFunctions.Tokens;

public static class TokensServiceCollectionExtensions
{
    /// <summary>Token creation and validation with the options from the <c>Jwt</c> section.</summary>
    public static IServiceCollection AddJwtTokens(this IServiceCollection services)
    {
        services.AddValidatedOptions<JwtOptions, JwtOptionsValidator>(JwtOptions.SectionName);
        services.TryAddSingleton<TokenService>();
        return services;
    }
}
