using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.TestSupport;

/// <summary>
/// Builds JWS tokens by hand (not through the code under test), so tests can make exactly the
/// broken tokens an attacker would send.
/// </summary>
public static class TokenForge
{
    public const string Issuer = "jwtfunctions";
    public const string Audience = "jwtfunctions-api";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

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
            ["iss"] = Issuer,
            ["aud"] = Audience,
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

    /// <summary>base64url of the UTF-8 of <paramref name="json"/> as written (for JSON a serializer would not produce).</summary>
    public static string EncodeJson(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    /// <summary>
    /// <c>header.payload.signature</c> with an HMAC of <paramref name="hash"/> over the two encoded
    /// segments as given, whatever their <c>alg</c> says (e.g. <c>RS256</c> "signed" with the HMAC
    /// secret, the algorithm-confusion attack).
    /// </summary>
    public static string SignSegmentsWithHmac(string encodedHeader, string encodedPayload, byte[] key, HashAlgorithmName hash)
    {
        var signingInput = encodedHeader + "." + encodedPayload;
        var input = Encoding.ASCII.GetBytes(signingInput);
        var signature = hash.Name switch
        {
            "SHA256" => HMACSHA256.HashData(key, input),
            "SHA384" => HMACSHA384.HashData(key, input),
            "SHA512" => HMACSHA512.HashData(key, input),
            _ => throw new ArgumentOutOfRangeException(nameof(hash), hash, "HMAC with SHA-256, -384 or -512"),
        };
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>HMAC-SHA256 over the encoded header and claims, whatever the header's <c>alg</c>.</summary>
    public static string SignWithHmacSha256(Dictionary<string, object?> header, Dictionary<string, object?> claims, byte[] key) =>
        SignSegmentsWithHmac(Encode(header), Encode(claims), key, HashAlgorithmName.SHA256);

    /// <summary>RS256 (RSASSA-PKCS1-v1_5 with SHA-256) with <paramref name="rsa"/>, e.g. an attacker's own key.</summary>
    public static string SignRs256(Dictionary<string, object?> header, Dictionary<string, object?> claims, RSA rsa)
    {
        var signingInput = Encode(header) + "." + Encode(claims);
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>ES256 (ECDSA P-256, SHA-256, r||s as RFC 7518 §3.4 says) with <paramref name="ecdsa"/>.</summary>
    public static string SignEs256(Dictionary<string, object?> header, Dictionary<string, object?> claims, ECDsa ecdsa)
    {
        var signingInput = Encode(header) + "." + Encode(claims);
        var signature = ecdsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>ECDSA with <paramref name="hash"/> (r||s, RFC 7518 §3.4), whatever the header's <c>alg</c> says (e.g. ES384 with a P-384 key).</summary>
    public static string SignEcdsa(Dictionary<string, object?> header, Dictionary<string, object?> claims, ECDsa ecdsa, HashAlgorithmName hash)
    {
        var signingInput = Encode(header) + "." + Encode(claims);
        var signature = ecdsa.SignData(Encoding.ASCII.GetBytes(signingInput), hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>A fresh P-256 private key as PEM PKCS#8 (<c>-----BEGIN PRIVATE KEY-----</c>), as ES256 keys are stored.</summary>
    public static string NewEs256Pem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>A fresh RSA private key of <paramref name="bits"/> as PEM PKCS#8, as RS256 keys are stored.</summary>
    public static string NewRsaPem(int bits = 2048)
    {
        using var key = RSA.Create(bits);
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>RFC 7638 §3 thumbprint of the public part of a P-256 key, computed here independently of the app.</summary>
    public static string EcThumbprint(ECDsa key)
    {
        var q = key.ExportParameters(false).Q;
        var json = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{Base64UrlEncoder.Encode(q.X!)}\",\"y\":\"{Base64UrlEncoder.Encode(q.Y!)}\"}}";
        return Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
    }

    /// <summary>The public part of <paramref name="rsa"/> as a JWK (RFC 7517), for an embedded <c>jwk</c> header.</summary>
    public static Dictionary<string, object?> PublicJwk(RSA rsa, string kid)
    {
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        return new()
        {
            ["kty"] = "RSA",
            ["kid"] = kid,
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus!),
            ["e"] = Base64UrlEncoder.Encode(parameters.Exponent!),
        };
    }

    /// <summary>A symmetric key as a JWK (<c>kty: oct</c>), for an embedded <c>jwk</c> header naming an attacker's HMAC key.</summary>
    public static Dictionary<string, object?> SymmetricJwk(byte[] key, string kid) =>
        new() { ["kty"] = "oct", ["kid"] = kid, ["k"] = Base64UrlEncoder.Encode(key) };

    /// <summary>A well-formed token signed through <c>JsonWebTokenHandler</c>, as the app would issue one.</summary>
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
    public static string UnsignedToken(string typ = "at+jwt")
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject { ["alg"] = "none", ["typ"] = typ, ["kid"] = "local" };
        var payload = new JsonObject
        {
            ["sub"] = "forged-user", ["jti"] = Guid.NewGuid().ToString("N"), ["sid"] = Guid.NewGuid().ToString("N"),
            ["iss"] = Issuer, ["aud"] = Audience, ["iat"] = now, ["nbf"] = now, ["exp"] = now + 600,
        };
        return $"{EncodeNode(header)}.{EncodeNode(payload)}.";
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

    public static JsonElement DecodeHeader(string token) => Decode(token.Split('.')[0]);

    public static JsonElement DecodePayload(string token) => Decode(token.Split('.')[1]);

    private static JsonElement Decode(string segment) => JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(segment)).RootElement.Clone();

    private static string EncodeNode(JsonNode node) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(node.ToJsonString()));
}
