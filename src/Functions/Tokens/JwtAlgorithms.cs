using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.Tokens;

/// <summary>The HMAC JWS algorithms this service may be configured with (RFC 7518 §3.2).</summary>
public static class JwtAlgorithms
{
    public static bool IsSupported(string? algorithm) => algorithm is SecurityAlgorithms.HmacSha256 or SecurityAlgorithms.HmacSha384 or SecurityAlgorithms.HmacSha512;

    /// <summary>RFC 7518 §3.2: a key at least as long as the hash output.</summary>
    public static int MinimumKeyBytes(string algorithm) => algorithm switch
    {
        SecurityAlgorithms.HmacSha256 => 32,
        SecurityAlgorithms.HmacSha384 => 48,
        SecurityAlgorithms.HmacSha512 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Jwt:Algorithm must be HS256, HS384 or HS512."),
    };
}
