namespace JwtFunctions.Tokens;

/// <summary>
/// Token issuance and validation settings, bound from the <c>Jwt</c> configuration section
/// (app settings <c>Jwt__Issuer</c>, <c>Jwt__Audience</c>, ...). Defaults follow flask-jwt-extended.
/// </summary>
public sealed class JwtOptions
{
    public const string SectionName = "Jwt";

    /// <summary>The <c>iss</c> claim written and required (RFC 7519 §4.1.1). Default <c>jwtfunctions</c>.</summary>
    public string Issuer { get; set; } = "jwtfunctions";

    /// <summary>The <c>aud</c> claim written and required (RFC 7519 §4.1.3). Default <c>jwtfunctions-api</c>.</summary>
    public string Audience { get; set; } = "jwtfunctions-api";

    /// <summary>HMAC algorithm: <c>HS256</c> (default), <c>HS384</c> or <c>HS512</c>. Only this one is accepted.</summary>
    public string Algorithm { get; set; } = "HS256";

    /// <summary>Access-token lifetime. Default 15 minutes (flask-jwt-extended's JWT_ACCESS_TOKEN_EXPIRES).</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Refresh-token lifetime. Default 30 days (flask-jwt-extended's JWT_REFRESH_TOKEN_EXPIRES).</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Tolerance for clock differences when checking <c>exp</c> and <c>nbf</c>. Default 60 seconds, at most 5 minutes.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);
}
