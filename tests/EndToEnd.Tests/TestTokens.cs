using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>Forges tokens with (or without) the test signing key, for the middleware tests.</summary>
public static class TestTokens
{
    public const string Issuer = "jwtfunctions";
    public const string Audience = "jwtfunctions-api";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public static string Create(
        byte[] key,
        string typ = "at+jwt",
        string keyId = "local",
        string algorithm = SecurityAlgorithms.HmacSha256,
        string issuer = Issuer,
        string audience = Audience,
        string subject = "forged-user",
        TimeSpan? expiresIn = null,
        TimeSpan? issuedAgo = null)
    {
        var now = DateTime.UtcNow;
        var issued = now - (issuedAgo ?? TimeSpan.Zero);
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = typ,
            Issuer = issuer,
            Audience = audience,
            IssuedAt = issued,
            NotBefore = issued,
            Expires = now + (expiresIn ?? TimeSpan.FromMinutes(10)),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = subject,
                ["jti"] = Guid.NewGuid().ToString("N"),
                ["sid"] = Guid.NewGuid().ToString("N"),
            },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key) { KeyId = keyId }, algorithm),
        });
    }

    /// <summary>An unsigned token (<c>alg: none</c>) with otherwise valid claims.</summary>
    public static string Unsigned(string typ = "at+jwt")
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject { ["alg"] = "none", ["typ"] = typ, ["kid"] = "local" };
        var payload = new JsonObject
        {
            ["sub"] = "forged-user", ["jti"] = Guid.NewGuid().ToString("N"), ["sid"] = Guid.NewGuid().ToString("N"),
            ["iss"] = Issuer, ["aud"] = Audience, ["iat"] = now, ["nbf"] = now, ["exp"] = now + 600,
        };
        return $"{Encode(header)}.{Encode(payload)}.";
    }

    /// <summary>The token with one payload claim changed and the original signature kept.</summary>
    public static string WithPayloadClaim(string token, string claim, string value)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.DecodeBytes(parts[1]))!.AsObject();
        payload[claim] = value;
        return $"{parts[0]}.{Encode(payload)}.{parts[2]}";
    }

    /// <summary>The token with one character of its signature flipped.</summary>
    public static string WithFlippedSignature(string token)
    {
        var parts = token.Split('.');
        var signature = parts[2].ToCharArray();
        signature[5] = signature[5] == 'A' ? 'B' : 'A';
        return $"{parts[0]}.{parts[1]}.{new string(signature)}";
    }

    public static JsonElement Header(string token) => Decode(token.Split('.')[0]);

    public static JsonElement Payload(string token) => Decode(token.Split('.')[1]);

    private static JsonElement Decode(string segment) => JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(segment)).RootElement.Clone();

    private static string Encode(JsonNode node) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(node.ToJsonString()));
}
