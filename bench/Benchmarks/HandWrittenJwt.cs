using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace JwtFunctions.Benchmarks;

/// <summary>
/// The physical-limit reference: the least work an HS256 check can do. base64url decode, one
/// HMAC-SHA256 with a reused keyed instance, a fixed-time compare, and a JsonDocument over the
/// header and payload for alg/typ/iss/aud/exp/nbf/sub. Not thread-safe (one HMAC instance); a
/// benchmark reference, not production code.
/// </summary>
public sealed class HandWrittenJwt(byte[] key, string issuer, string audience, string type) : IDisposable
{
    private readonly HMACSHA256 _hmac = new(key);

    public string? Validate(string token, long nowUnix) => Validate(token, nowUnix, null, out _);

    /// <summary>
    /// The same check that also reads <c>roles</c> (a JSON array of strings, into
    /// <paramref name="roles"/>) and <c>scope</c> (a string), as the service does (RFC 9068 §2.2.3).
    /// </summary>
    public string? Validate(string token, long nowUnix, List<string>? roles, out string? scope)
    {
        scope = null;
        var first = token.IndexOf('.');
        var second = first < 0 ? -1 : token.IndexOf('.', first + 1);
        if (first <= 0 || second <= first + 1 || token.IndexOf('.', second + 1) >= 0)
        {
            return null;
        }

        var signed = token.AsSpan(0, second);
        Span<byte> signedBytes = stackalloc byte[signed.Length];
        Encoding.ASCII.GetBytes(signed, signedBytes);
        Span<byte> expected = stackalloc byte[32];
        _hmac.TryComputeHash(signedBytes, expected, out _);

        Span<byte> signature = stackalloc byte[64];
        if (Base64Url.DecodeFromChars(token.AsSpan(second + 1), signature, out _, out var signatureLength) != OperationStatus.Done
            || !CryptographicOperations.FixedTimeEquals(expected, signature[..signatureLength]))
        {
            return null;
        }

        var header = Base64Url.DecodeFromChars(token.AsSpan(0, first));
        using (var headerJson = JsonDocument.Parse(header))
        {
            var h = headerJson.RootElement;
            if (!h.TryGetProperty("alg"u8, out var alg) || !alg.ValueEquals("HS256"u8)
                || !h.TryGetProperty("typ"u8, out var typ) || !typ.ValueEquals(type))
            {
                return null;
            }
        }

        var payload = Base64Url.DecodeFromChars(token.AsSpan(first + 1, second - first - 1));
        using var payloadJson = JsonDocument.Parse(payload);
        var p = payloadJson.RootElement;
        if (!p.TryGetProperty("iss"u8, out var iss) || !iss.ValueEquals(issuer)
            || !p.TryGetProperty("aud"u8, out var aud) || !aud.ValueEquals(audience)
            || !p.TryGetProperty("exp"u8, out var exp) || exp.GetInt64() <= nowUnix
            || (p.TryGetProperty("nbf"u8, out var nbf) && nbf.GetInt64() > nowUnix + 60)
            || !p.TryGetProperty("sub"u8, out var sub) || sub.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        if (roles is not null)
        {
            roles.Clear();
            if (p.TryGetProperty("roles"u8, out var r) && r.ValueKind == JsonValueKind.Array)
            {
                foreach (var role in r.EnumerateArray())
                {
                    if (role.ValueKind != JsonValueKind.String)
                    {
                        roles.Clear();
                        break;
                    }

                    roles.Add(role.GetString()!);
                }
            }

            scope = p.TryGetProperty("scope"u8, out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        }

        return sub.GetString();
    }

    public void Dispose() => _hmac.Dispose();
}
