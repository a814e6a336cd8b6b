using JwtFunctions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.Tokens;

/// <summary>
/// Token issuance and validation settings, bound from the <c>Jwt</c> configuration section
/// (app settings <c>Jwt__Issuer</c>, <c>Jwt__Audience</c>, ...). Defaults follow flask-jwt-extended.
/// </summary>
public sealed class JwtOptions
{
    public const string SectionName = "Jwt";

    /// <summary>
    /// The <c>iss</c> claim written and required (RFC 7519 §4.1.1). Default <c>jwtfunctions</c>. With
    /// ES256 / RS256 it must be the service's public base URL (e.g. <c>http://localhost:7071/api</c>),
    /// because verifiers find <c>{issuer}/.well-known/openid-configuration</c> from it (OpenID Connect
    /// Discovery 1.0 §4, RFC 8414 §3).
    /// </summary>
    public string Issuer { get; set; } = "jwtfunctions";

    /// <summary>The <c>aud</c> claim written and required (RFC 7519 §4.1.3). Default <c>jwtfunctions-api</c>.</summary>
    public string Audience { get; set; } = "jwtfunctions-api";

    /// <summary>
    /// The JWS algorithm, the only one accepted (RFC 8725 §3.1): <c>HS256</c> (default), <c>HS384</c>
    /// or <c>HS512</c> with a shared secret; <c>ES256</c> (ECDSA P-256) or <c>RS256</c> (RSA ≥ 2048
    /// bits) with a private key, whose public keys are published as JWKS so any API can verify.
    /// </summary>
    public string Algorithm { get; set; } = "HS256";

    /// <summary>Access-token lifetime. Default 15 minutes (flask-jwt-extended's JWT_ACCESS_TOKEN_EXPIRES).</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Refresh-token lifetime. Default 30 days (flask-jwt-extended's JWT_REFRESH_TOKEN_EXPIRES).</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Tolerance for clock differences when checking <c>exp</c> and <c>nbf</c>. Default 60 seconds, at most 5 minutes.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Where tokens travel (flask-jwt-extended's JWT_TOKEN_LOCATION): <c>headers</c> (default),
    /// <c>cookies</c>, or both as <c>headers,cookies</c>. See <see cref="TokenLocations"/>.
    /// </summary>
    public string TokenLocation { get; set; } = TokenLocations.Headers;

    /// <summary>The token and CSRF cookies' <c>SameSite</c> (RFC 6265bis §4.1.2.7): <c>Lax</c> (default) or <c>Strict</c>.</summary>
    public string CookieSameSite { get; set; } = "Lax";
}

/// <summary>Parses <see cref="JwtOptions.TokenLocation"/>: a comma-separated set of <c>headers</c> and <c>cookies</c>.</summary>
public static class TokenLocations
{
    public const string Headers = "headers";
    public const string Cookies = "cookies";

    public static bool TryParse(string? value, out bool headers, out bool cookies)
    {
        headers = cookies = false;
        foreach (var part in (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries))
        {
            if (part == Headers && !headers)
            {
                headers = true;
            }
            else if (part == Cookies && !cookies)
            {
                cookies = true;
            }
            else
            {
                return false;
            }
        }

        return headers || cookies;
    }

    /// <summary>Whether tokens are accepted from and issued as cookies.</summary>
    public static bool UsesCookies(this JwtOptions options) => TryParse(options.TokenLocation, out _, out var cookies) && cookies;

    /// <summary>Whether the <c>Authorization</c> header is read and tokens are returned in the body.</summary>
    public static bool UsesHeaders(this JwtOptions options) => TryParse(options.TokenLocation, out var headers, out _) && headers;
}

/// <summary>Start-up checks of <see cref="JwtOptions"/>, each message saying how to fix it.</summary>
public sealed class JwtOptionsValidator : IValidateOptions<JwtOptions>
{
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxAccessTokenLifetime = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add("Jwt:Issuer must not be empty; it is written to and required in every token's iss claim (default jwtfunctions).");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add("Jwt:Audience must not be empty; it is written to and required in every token's aud claim (default jwtfunctions-api).");
        }

        if (!string.IsNullOrWhiteSpace(options.Audience) && string.Equals(options.Audience, options.Issuer, StringComparison.Ordinal))
        {
            failures.Add("Jwt:Audience must differ from Jwt:Issuer: refresh tokens are addressed to the issuer and access tokens to the audience, so that neither is taken for the other (RFC 8725 §3.12).");
        }

        if (!JwtAlgorithms.IsSupported(options.Algorithm))
        {
            failures.Add("Jwt:Algorithm must be HS256, HS384, HS512, ES256 or RS256, spelled exactly so (default HS256).");
        }
        else if (JwtAlgorithms.IsAsymmetric(options.Algorithm) && !string.IsNullOrWhiteSpace(options.Issuer) && !IsIssuerUrl(options.Issuer))
        {
            failures.Add($"Jwt:Issuer must be the service's public base URL when Jwt:Algorithm is {options.Algorithm}, "
                + "e.g. https://<app>.azurewebsites.net/api (http only for localhost), with no query, fragment or trailing slash: "
                + "verifiers read <issuer>/.well-known/openid-configuration (OpenID Connect Discovery 1.0 §4).");
        }

        if (options.AccessTokenLifetime < TimeSpan.FromMinutes(1) || options.AccessTokenLifetime > MaxAccessTokenLifetime)
        {
            failures.Add("Jwt:AccessTokenLifetime must be between 00:01:00 and 1.00:00:00 (default 00:15:00).");
        }

        if (options.RefreshTokenLifetime <= options.AccessTokenLifetime || options.RefreshTokenLifetime > TimeSpan.FromDays(365))
        {
            failures.Add("Jwt:RefreshTokenLifetime must be longer than Jwt:AccessTokenLifetime and at most 365.00:00:00 (default 30.00:00:00).");
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > MaxClockSkew)
        {
            failures.Add("Jwt:ClockSkew must be between 00:00:00 and 00:05:00 (default 00:01:00).");
        }

        if (!TokenLocations.TryParse(options.TokenLocation, out _, out _))
        {
            failures.Add("Jwt:TokenLocation must be headers, cookies or headers,cookies (default headers), as flask-jwt-extended's JWT_TOKEN_LOCATION.");
        }

        if (options.CookieSameSite is not ("Lax" or "Strict"))
        {
            failures.Add("Jwt:CookieSameSite must be Lax or Strict, spelled exactly so (default Lax); None would send the token cookies on cross-site requests.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>An absolute https URL (http only on a loopback host), no query or fragment, no trailing slash (RFC 8414 §2).</summary>
    public static bool IsIssuerUrl(string issuer) =>
        Uri.TryCreate(issuer, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
        && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment)
        && !issuer.EndsWith('/');
}

/// <summary>The JWS algorithms this service may be configured with (RFC 7518 §3.2, §3.3, §3.4).</summary>
public static class JwtAlgorithms
{
    public static bool IsSupported(string? algorithm) => IsHmac(algorithm) || IsAsymmetric(algorithm);

    public static bool IsHmac(string? algorithm) => algorithm is SecurityAlgorithms.HmacSha256 or SecurityAlgorithms.HmacSha384 or SecurityAlgorithms.HmacSha512;

    /// <summary>ES256 and RS256: signed with a private key, verified with a published public key.</summary>
    public static bool IsAsymmetric(string? algorithm) => algorithm is SecurityAlgorithms.EcdsaSha256 or SecurityAlgorithms.RsaSha256;

    /// <summary>RFC 7518 §3.2: a key at least as long as the hash output.</summary>
    public static int MinimumKeyBytes(string algorithm) => algorithm switch
    {
        SecurityAlgorithms.HmacSha256 => 32,
        SecurityAlgorithms.HmacSha384 => 48,
        SecurityAlgorithms.HmacSha512 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Jwt:Algorithm must be HS256, HS384 or HS512."),
    };
}

public static class TokensServiceCollectionExtensions
{
    /// <summary>Token creation and validation with the options from the <c>Jwt</c> section.</summary>
    internal static IServiceCollection AddJwtTokens(this IServiceCollection services)
    {
        services.AddValidatedOptions<JwtOptions, JwtOptionsValidator>(JwtOptions.SectionName);
        services.TryAddSingleton<TokenService>();
        services.TryAddSingleton<JwtFunctions.Endpoints.DiscoveryDocuments>();
        return services;
    }
}
