using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.TestSupport;

/// <summary>
/// Builds JWS tokens by hand (not through the code under test), so tests can make exactly the
/// broken tokens an attacker would send.
/// </summary>
public static class TokenForge
{
    public static Dictionary<string, object?> Header(string typ = "at+jwt", string kid = "local", string alg = "HS256") =>
        new() { ["alg"] = alg, ["typ"] = typ, ["kid"] = kid };

    public static Dictionary<string, object?> Claims(DateTimeOffset? now = null, string sub = "alice", TimeSpan? lifetime = null)
    {
        var issued = now ?? DateTimeOffset.UtcNow;
        return new()
        {
            ["sub"] = sub,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["sid"] = Guid.NewGuid().ToString("N"),
            ["iat"] = issued.ToUnixTimeSeconds(),
            ["nbf"] = issued.ToUnixTimeSeconds(),
            ["exp"] = (issued + (lifetime ?? TimeSpan.FromMinutes(15))).ToUnixTimeSeconds(),
            ["iss"] = "jwtfunctions",
            ["aud"] = "jwtfunctions-api",
        };
    }

    public static string Encode(object value) => Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(value));

    public static string Sign(Dictionary<string, object?> header, Dictionary<string, object?> claims, byte[] key)
    {
        var signingInput = Encode(header) + "." + Encode(claims);
        var alg = (string)header["alg"]!;
        var input = Encoding.ASCII.GetBytes(signingInput);
        byte[] signature = alg switch
        {
            "HS256" => HMACSHA256.HashData(key, input),
            "HS384" => HMACSHA384.HashData(key, input),
            "HS512" => HMACSHA512.HashData(key, input),
            _ => [],
        };
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    public static string Unsigned(Dictionary<string, object?> header, Dictionary<string, object?> claims) =>
        Encode(header) + "." + Encode(claims) + ".";
}
