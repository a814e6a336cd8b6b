using JwtFunctions.Tokens;









namespace JwtFunctions.Tests.Tokens;

public sealed class JwtOptionsValidatorTests
{
    [Fact]
    public void DefaultsAreValid() => Assert.True(new JwtOptionsValidator().Validate(null, new JwtOptions()).Succeeded);

    [Theory]
    [InlineData("Algorithm", "none", "Jwt:Algorithm must be HS256, HS384, HS512, ES256 or RS256")]
    [InlineData("Algorithm", "RS512", "Jwt:Algorithm must be HS256, HS384, HS512, ES256 or RS256")]
    [InlineData("Algorithm", "RS256", "Jwt:Issuer must be the service's public base URL when Jwt:Algorithm is RS256")]
    [InlineData("Issuer", "", "Jwt:Issuer must not be empty")]
    [InlineData("Audience", " ", "Jwt:Audience must not be empty")]
    [InlineData("ClockSkew", "00:10:00", "Jwt:ClockSkew must be between 00:00:00 and 00:05:00")]
    [InlineData("AccessTokenLifetime", "00:00:10", "Jwt:AccessTokenLifetime must be between")]
    [InlineData("RefreshTokenLifetime", "00:10:00", "Jwt:RefreshTokenLifetime must be longer than Jwt:AccessTokenLifetime")]
    [InlineData("TokenLocation", "", "Jwt:TokenLocation must be headers, cookies or headers,cookies")]
    [InlineData("TokenLocation", "cookie", "Jwt:TokenLocation must be headers, cookies or headers,cookies")]
    [InlineData("TokenLocation", "headers,headers", "Jwt:TokenLocation must be headers, cookies or headers,cookies")]
    [InlineData("TokenLocation", "query_string", "Jwt:TokenLocation must be headers, cookies or headers,cookies")]
    [InlineData("CookieSameSite", "None", "Jwt:CookieSameSite must be Lax or Strict")]
    [InlineData("CookieSameSite", "lax", "Jwt:CookieSameSite must be Lax or Strict")]
    public void InvalidSettingIsRefusedWithAMessageNamingIt(string property, string value, string message)
    {
        var options = new JwtOptions();
        var info = typeof(JwtOptions).GetProperty(property)!;
        info.SetValue(options, info.PropertyType == typeof(TimeSpan) ? TimeSpan.Parse(value) : value);

        var result = new JwtOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage);
    }

    [Theory]
    [InlineData("headers", true, false)]
    [InlineData("cookies", false, true)]
    [InlineData("headers,cookies", true, true)]
    [InlineData("cookies, headers", true, true)]
    public void TokenLocationIsASetOfHeadersAndCookies(string location, bool headers, bool cookies)
    {
        var options = new JwtOptions { TokenLocation = location };
        Assert.True(new JwtOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal((headers, cookies), (options.UsesHeaders(), options.UsesCookies()));
    }
}
