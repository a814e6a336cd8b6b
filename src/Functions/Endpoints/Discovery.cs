using System.Net;
using System.Text.Json;
using JwtFunctions.Authentication;
using JwtFunctions.SigningKeys;
using JwtFunctions.Tokens;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Endpoints;

/// <summary>
/// <c>GET /api/.well-known/openid-configuration</c>: the issuer's metadata (OpenID Connect Discovery
/// 1.0 §3, RFC 8414 §2), so a verifier configured with nothing but the issuer finds the JWKS.
/// </summary>
public sealed class OpenIdConfiguration(DiscoveryDocuments documents)
{
    public const string Route = ".well-known/openid-configuration";

    [Function(nameof(OpenIdConfiguration))]
    [AnonymousFunction]
    public Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequestData request) =>
        DiscoveryDocuments.WriteAsync(request, HttpStatusCode.OK, documents.Configuration(request.Url),
            // URLs taken from the request (HS* with a non-URL issuer) follow its Host header: no
            // shared cache may keep them for others.
            documents.IssuerIsUrl ? DiscoveryDocuments.ConfigurationCacheControl : "no-store");
}

/// <summary>
/// <c>GET /api/.well-known/jwks.json</c>: the public key of every published signing key version
/// (RFC 7517 §5). With HS* it is always empty: a shared secret is never published.
/// </summary>
public sealed class JsonWebKeySet(DiscoveryDocuments documents, SigningKeyRing ring)
{
    public const string Route = ".well-known/jwks.json";

    [Function(nameof(JsonWebKeySet))]
    [AnonymousFunction]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequestData request,
        CancellationToken cancellationToken)
    {
        if (documents.IsSymmetric)
        {
            return await DiscoveryDocuments.WriteAsync(request, HttpStatusCode.OK, DiscoveryDocuments.EmptyKeySet, DiscoveryDocuments.KeySetCacheControl);
        }

        // Fail closed: while no usable key is loaded, answer 503 (not an empty set a verifier would cache).
        var keys = await ring.GetAsync(TimeSpan.FromSeconds(5), cancellationToken);
        if (keys is null)
        {
            return await request.ErrorAsync(new ApiError(HttpStatusCode.ServiceUnavailable, OAuthErrors.TemporarilyUnavailable, "The token service is not ready; try again shortly"));
        }

        return await DiscoveryDocuments.WriteAsync(request, HttpStatusCode.OK, documents.KeySet(keys), DiscoveryDocuments.KeySetCacheControl);
    }
}

/// <summary>Builds the discovery and JWKS documents; the JWKS bytes once per loaded key set.</summary>
public sealed class DiscoveryDocuments(IOptions<JwtOptions> options)
{
    /// <summary>
    /// JWKS: verifiers may cache it for 5 minutes (RFC 9111 §5.2.2.1). A new key version is
    /// published at once and signs only after <c>SigningKeys:ActivationDelay</c>, which should
    /// exceed this plus the key refresh interval; a verifier that meets an unknown <c>kid</c>
    /// re-fetches anyway (OpenID Connect Core 1.0 §10.1.1).
    /// </summary>
    public const string KeySetCacheControl = "public, max-age=300";

    /// <summary>Discovery: the metadata changes only with a deployment.</summary>
    public const string ConfigurationCacheControl = "public, max-age=3600";

    internal static readonly byte[] EmptyKeySet = "{\"keys\":[]}"u8.ToArray();

    private readonly JwtOptions _options = options.Value;
    private volatile KeySetCache? _keySet;

    public bool IsSymmetric => JwtAlgorithms.IsHmac(_options.Algorithm);

    /// <summary>Whether the issuer is the service's URL, so the document's endpoint URLs are fixed.</summary>
    public bool IssuerIsUrl => JwtOptionsValidator.IsIssuerUrl(_options.Issuer);

    /// <summary>
    /// The discovery document. Endpoint URLs hang off the issuer when it is a URL (the ES256 /
    /// RS256 configuration requires that); with HS* and a non-URL issuer, off this request's base.
    /// </summary>
    public byte[] Configuration(Uri requestUrl)
    {
        var baseUrl = JwtOptionsValidator.IsIssuerUrl(_options.Issuer) ? _options.Issuer : BaseOf(requestUrl);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("issuer", _options.Issuer);
            json.WriteString("jwks_uri", baseUrl + "/" + JsonWebKeySet.Route);
            json.WriteString("token_endpoint", baseUrl + "/v1.0/login");
            json.WriteString("revocation_endpoint", baseUrl + "/v1.0/revoke");
            json.WriteStartArray("grant_types_supported");
            json.WriteStringValue("password");
            json.WriteStringValue("refresh_token");
            json.WriteEndArray();

            // Public clients: no client authentication at the login and revocation endpoints (RFC 8414 §2, RFC 7591 §2).
            json.WriteStartArray("token_endpoint_auth_methods_supported");
            json.WriteStringValue("none");
            json.WriteEndArray();
            json.WriteStartArray("revocation_endpoint_auth_methods_supported");
            json.WriteStringValue("none");
            json.WriteEndArray();
            json.WriteStartArray("subject_types_supported");
            json.WriteStringValue("public");
            json.WriteEndArray();

            // The one algorithm tokens are signed with. With HS* it names a shared-secret algorithm
            // and the JWKS is empty: such tokens can only be checked by holders of the secret.
            json.WriteStartArray("id_token_signing_alg_values_supported");
            json.WriteStringValue(_options.Algorithm);
            json.WriteEndArray();
            json.WriteStartArray("claims_supported");
            foreach (var claim in (string[])["sub", "iss", "aud", "exp", "nbf", "iat", "jti", "sid", "gen"])
            {
                json.WriteStringValue(claim);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The JWKS of <paramref name="keys"/>: public parameters only (RFC 7517 §4, RFC 7518 §6).</summary>
    public byte[] KeySet(SigningKeySet keys)
    {
        var cached = _keySet;
        if (cached is not null && ReferenceEquals(cached.Keys, keys))
        {
            return cached.Json;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("keys");
            foreach (var key in keys.Keys)
            {
                if (key.PublicKey is not { } jwk)
                {
                    continue;
                }

                json.WriteStartObject();
                json.WriteString("kty", jwk.Kty);
                json.WriteString("use", PublicJsonWebKey.Use);
                json.WriteString("alg", jwk.Alg);
                json.WriteString("kid", jwk.Kid);
                if (jwk.Kty == "EC")
                {
                    json.WriteString("crv", jwk.Crv);
                    json.WriteString("x", jwk.X);
                    json.WriteString("y", jwk.Y);
                }
                else
                {
                    json.WriteString("n", jwk.N);
                    json.WriteString("e", jwk.E);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var bytes = buffer.ToArray();
        _keySet = new KeySetCache(keys, bytes);
        return bytes;
    }

    internal static Task<HttpResponseData> WriteAsync(HttpRequestData request, HttpStatusCode status, byte[] body, string cacheControl) =>
        request.JsonBytesAsync(status, body, ("Cache-Control", cacheControl));

    /// <summary><c>scheme://host[:port]/api</c> of a request to one of the <c>.well-known</c> routes.</summary>
    private static string BaseOf(Uri requestUrl)
    {
        var path = requestUrl.AbsolutePath;
        var wellKnown = path.IndexOf("/.well-known/", StringComparison.Ordinal);
        return requestUrl.GetLeftPart(UriPartial.Authority) + (wellKnown >= 0 ? path[..wellKnown] : string.Empty);
    }

    private sealed record KeySetCache(SigningKeySet Keys, byte[] Json);
}
