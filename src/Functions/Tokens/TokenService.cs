using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using JwtFunctions.Endpoints;
using JwtFunctions.SigningKeys;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace JwtFunctions.Tokens;

/// <summary>
/// Creates and checks the service's JWS tokens with <see cref="JsonWebTokenHandler"/>. The
/// validation parameters are built once; the signing key is looked up by <c>kid</c> in the
/// current key set, so key rotation needs no rebuild and no I/O on the request path.
/// </summary>
public sealed class TokenService
{
    /// <summary>Longer tokens are refused before any parsing. Ours are about 400 characters.</summary>
    public const int MaxTokenLength = 4096;

    public const string SessionClaim = "sid";

    private const string CriticalHeader = "crit";

    /// <summary>The user's token generation at issue time; "log out everywhere" and a password change raise it.</summary>
    public const string GenerationClaim = "gen";

    /// <summary>
    /// The double-submit CSRF value of a token that travels in a cookie (flask-jwt-extended's
    /// <c>csrf</c> claim, a random UUID); its copy goes to the JavaScript-readable CSRF cookie.
    /// </summary>
    public const string CsrfClaim = "csrf";
    /// <summary>RFC 9068 §2.2.3.1 (after RFC 7643): the user's roles, a JSON array of strings.</summary>
    public const string RolesClaim = "roles";

    /// <summary>RFC 9068 §2.2.3 / RFC 8693 §4.2: the granted scopes, one space-separated string.</summary>
    public const string ScopeClaim = "scope";

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false, MaximumTokenSizeInBytes = MaxTokenLength };
    private readonly SigningKeyRing _ring;
    private readonly TimeProvider _time;
    private readonly JwtOptions _options;
    private readonly TokenValidationParameters _accessParameters;
    private readonly TokenValidationParameters _refreshParameters;
    private volatile SigningCredentialsCache? _credentials;

    public TokenService(SigningKeyRing ring, IOptions<JwtOptions> options, TimeProvider time)
    {
        _ring = ring;
        _time = time;
        _options = options.Value;
        _accessParameters = CreateParameters(TokenKind.Access);
        _refreshParameters = CreateParameters(TokenKind.Refresh);
    }

    public JwtOptions Options => _options;

    /// <summary>The keys to issue with, or <c>null</c> when nothing may be signed now (503).</summary>
    public ValueTask<SigningKeySet?> GetKeysAsync(CancellationToken cancellationToken) =>
        _ring.GetSigningKeysAsync(TimeSpan.FromSeconds(5), cancellationToken);

    public IssuedToken CreateAccessToken(SigningKeySet keys, string subject, string sessionId, long generation = 0) =>
        Create(keys, TokenKind.Access, subject, sessionId, Guid.NewGuid().ToString("N"), generation, _options.AccessTokenLifetime);

    /// <summary>An access token with the user's <c>roles</c> (JSON array) and <c>scope</c> (space-separated), RFC 9068 §2.2.3; each left out when empty.</summary>
    public IssuedToken CreateAccessToken(SigningKeySet keys, string subject, string sessionId, long generation, IReadOnlyList<string> roles, string scope) =>
        Create(keys, TokenKind.Access, subject, sessionId, Guid.NewGuid().ToString("N"), generation, _options.AccessTokenLifetime, roles, scope);

    public IssuedToken CreateRefreshToken(SigningKeySet keys, string subject, string sessionId, string tokenId, long generation = 0) =>
        Create(keys, TokenKind.Refresh, subject, sessionId, tokenId, generation, _options.RefreshTokenLifetime);

    public async ValueTask<TokenValidation> ValidateAsync(string? token, TokenKind kind, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            return TokenValidation.Fail(TokenFailure.Malformed);
        }

        if (token.Length > MaxTokenLength)
        {
            return TokenValidation.Fail(TokenFailure.TooLong);
        }

        if (await _ring.GetAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false) is null)
        {
            return TokenValidation.Fail(TokenFailure.KeysUnavailable);
        }

        var result = await _handler.ValidateTokenAsync(token, kind == TokenKind.Access ? _accessParameters : _refreshParameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return TokenValidation.Fail(Classify(result.Exception, token));
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        var now = _time.GetUtcNow();

        // RFC 7515 §4.1.11: extensions listed in crit must be understood, and this service
        // understands none, so any crit makes the token invalid.
        if (jwt.TryGetHeaderValue<object>(CriticalHeader, out _))
        {
            return TokenValidation.Fail(TokenFailure.Invalid);
        }

        // The JOSE header holds exactly what this issuer writes (alg, typ, kid): a jku, jwk, x5u
        // or x5c would point a careless verifier at an attacker's key (RFC 8725 §3.10), and
        // nothing else belongs there.
        if (!HeaderIsAllowListed(token))
        {
            return TokenValidation.Fail(TokenFailure.ForbiddenHeader);
        }

        // RFC 7519 §4.1.6: iat is informational, but one from the future means a clock or
        // forgery problem; refuse it beyond the allowed skew.
        if (!jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var issuedAt)
            || DateTimeOffset.FromUnixTimeSeconds(issuedAt) > now + _options.ClockSkew)
        {
            return TokenValidation.Fail(TokenFailure.NotYetValid);
        }

        // RFC 7519 §4.1.2: sub is a StringOrURI. The handler reads a number as its text, so check
        // the JSON type in the payload itself: a number or object must not become a user name.
        if (!RegisteredClaimsAreStrings(token, out var roles, out var scope)
            || StringClaim(jwt, JwtRegisteredClaimNames.Sub) is not { } subject
            || StringClaim(jwt, JwtRegisteredClaimNames.Jti) is not { } tokenId
            || StringClaim(jwt, SessionClaim) is not { } sessionId)
        {
            return TokenValidation.Fail(TokenFailure.InvalidSubject);
        }

        // A token without gen is generation 0, the generation every user starts at.
        var generation = jwt.TryGetPayloadValue<long>(GenerationClaim, out var gen) ? gen : 0;
        return TokenValidation.Success(new TokenPrincipal(subject, tokenId, sessionId, kind, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), generation)
        {
            Csrf = StringClaim(jwt, CsrfClaim),
            Roles = roles,
            Scope = scope,
        });
    }

    private IssuedToken Create(SigningKeySet keys, TokenKind kind, string subject, string sessionId, string tokenId, long generation, TimeSpan lifetime,
        IReadOnlyList<string>? roles = null, string? scope = null)
    {
        var now = _time.GetUtcNow();
        var expires = now + lifetime;
        var descriptor = new SecurityTokenDescriptor
        {
            TokenType = TokenTypes.For(kind),
            Issuer = _options.Issuer,
            Audience = AudienceFor(kind),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = CredentialsFor(SignerAt(keys, now)),
            Claims = new Dictionary<string, object>(4)
            {
                [JwtRegisteredClaimNames.Sub] = subject,
                [JwtRegisteredClaimNames.Jti] = tokenId,
                [SessionClaim] = sessionId,
                [GenerationClaim] = generation,
            },
        };
        if (_options.UsesCookies())
        {
            descriptor.Claims[CsrfClaim] = Guid.NewGuid().ToString();
        }

        if (roles is { Count: > 0 })
        {
            descriptor.Claims[RolesClaim] = roles.ToArray();
        }

        if (!string.IsNullOrEmpty(scope))
        {
            descriptor.Claims[ScopeClaim] = scope;
        }

        // exp is written in whole seconds (RFC 7519 NumericDate); report what the token says.
        return new IssuedToken(_handler.CreateToken(descriptor), tokenId, DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()));
    }

    /// <summary>
    /// The set's signer, unless its <c>expires</c> passed since the caller got the set (during a
    /// password hash, say): then the ring's signer now, as a reload would choose it.
    /// </summary>
    /// <exception cref="SigningKeyUnavailableException">No unexpired version is left to sign with.</exception>
    private SigningKey SignerAt(SigningKeySet keys, DateTimeOffset now)
    {
        var signer = keys.Current;
        if (signer.ExpiresOn is { } expires && expires <= now)
        {
            signer = _ring.SigningKeysAt(now)?.Current ?? throw new SigningKeyUnavailableException();
        }

        return signer;
    }

    private SigningCredentials CredentialsFor(SigningKey key)
    {
        var cached = _credentials;
        if (cached is null || !ReferenceEquals(cached.Key, key))
        {
            cached = new SigningCredentialsCache(key, new SigningCredentials(key.SecurityKey, _options.Algorithm));
            _credentials = cached;
        }

        return cached.Credentials;
    }

    /// <summary>
    /// Access and refresh tokens follow mutually exclusive rules beyond typ (RFC 8725 §3.12): an
    /// access token is addressed to the APIs (Jwt:Audience), a refresh token to this token service
    /// itself (its issuer), so no validator that checks the audience takes one for the other.
    /// </summary>
    private string AudienceFor(TokenKind kind) => kind == TokenKind.Refresh ? _options.Issuer : _options.Audience;

    private TokenValidationParameters CreateParameters(TokenKind kind) => CreateParameters(TokenTypes.For(kind), AudienceFor(kind));

    private TokenValidationParameters CreateParameters(string tokenType, string audience) => new()
    {
        ValidIssuer = _options.Issuer,
        ValidAudience = audience,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        RequireAudience = true,
        ClockSkew = _options.ClockSkew,
        // alg is pinned (RFC 8725 §3.1): none, other HMACs and asymmetric algorithms are refused.
        // typ tells an access token from a refresh token (RFC 8725 §3.11, RFC 9068 §2.1).
        // Both are checked by delegates (the handler clones the parameters into every successful
        // result, copying lists but not delegates), matched ordinally.
        AlgorithmValidator = IsPinnedAlgorithm,
        TypeValidator = (type, _, _) => string.Equals(type, tokenType, StringComparison.Ordinal)
            ? type
            : throw new SecurityTokenInvalidTypeException("The token's typ header is not the one this endpoint accepts.") { InvalidType = type },
        TryAllIssuerSigningKeys = false,
        IssuerSigningKeyResolver = ResolveKey,
    };

    private bool IsPinnedAlgorithm(string algorithm, SecurityKey key, SecurityToken token, TokenValidationParameters parameters) =>
        string.Equals(algorithm, _options.Algorithm, StringComparison.Ordinal);

    private IEnumerable<SecurityKey> ResolveKey(string token, SecurityToken securityToken, string kid, TokenValidationParameters parameters) =>
        _ring.Current is { } keys && keys.TryGetValidationKey(kid, _time.GetUtcNow(), out var key) ? key.ValidationKeys : [];

    /// <summary>The claim's value as the handler parsed it (no new Claim objects); its JSON type is checked above.</summary>
    private static string? StringClaim(JsonWebToken jwt, string name) =>
        jwt.TryGetPayloadValue<string>(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    /// <summary>Whether every JOSE header parameter is one this issuer writes: alg, typ, kid.</summary>
    private static bool HeaderIsAllowListed(string token)
    {
        var encoded = token.AsSpan(0, token.IndexOf('.'));
        Span<byte> buffer = stackalloc byte[512];
        if (Base64Url.GetMaxDecodedLength(encoded.Length) > buffer.Length
            || Base64Url.DecodeFromChars(encoded, buffer, out _, out var written) != OperationStatus.Done)
        {
            return false;
        }

        var reader = new Utf8JsonReader(buffer[..written]);
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
            {
                continue;
            }

            if (!reader.ValueTextEquals("alg"u8) && !reader.ValueTextEquals("typ"u8) && !reader.ValueTextEquals("kid"u8))
            {
                return false;
            }

            reader.Read();
            reader.Skip();
        }

        return true;
    }

    /// <summary>
    /// Whether sub, jti and sid are JSON strings in the payload as sent; in the same pass reads
    /// <c>roles</c> and <c>scope</c>. Only a JSON array of strings is roles and only a string is a
    /// scope: any other type grants nothing (no role, no scope), so a mistyped claim can never
    /// satisfy a requirement. Decodes into a stack buffer (a pooled one for unusually large
    /// payloads); a token without roles or scope allocates nothing here.
    /// </summary>
    private static bool RegisteredClaimsAreStrings(string token, out IReadOnlyList<string> roles, out string scope)
    {
        roles = [];
        scope = string.Empty;
        // The payload segment of the token as sent (JsonWebToken.EncodedPayload would copy it).
        var rest = token.AsSpan(token.IndexOf('.') + 1);
        var encoded = rest[..rest.IndexOf('.')];
        var maxLength = Base64Url.GetMaxDecodedLength(encoded.Length);
        byte[]? rented = null;
        var buffer = maxLength <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(maxLength));
        try
        {
            if (Base64Url.DecodeFromChars(encoded, buffer, out _, out var written) != OperationStatus.Done)
            {
                return false;
            }

            var reader = new Utf8JsonReader(buffer[..written]);
            var found = 0;
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
                {
                    continue;
                }

                if (reader.ValueTextEquals("roles"u8))
                {
                    reader.Read();
                    roles = ReadStringArray(ref reader);
                    continue;
                }

                if (reader.ValueTextEquals("scope"u8))
                {
                    reader.Read();
                    scope = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? string.Empty : string.Empty;
                    reader.Skip();
                    continue;
                }

                var isChecked = reader.ValueTextEquals("sub"u8) || reader.ValueTextEquals("jti"u8) || reader.ValueTextEquals("sid"u8);
                reader.Read();
                if (isChecked)
                {
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }

                    found++;
                }
                else
                {
                    reader.Skip();
                }
            }

            return found == 3;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The array's strings, or none at all when it is not an array of strings only (the reader ends on the value's last token).</summary>
    private static IReadOnlyList<string> ReadStringArray(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return [];
        }

        var values = new List<string>(2);
        var valid = true;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                values.Add(reader.GetString()!);
            }
            else
            {
                valid = false;
                reader.Skip();
            }
        }

        return valid ? values : [];
    }

    private TokenFailure Classify(Exception? exception, string token)
    {
        var failure = ClassifyOuter(exception);

        // The handler reports a refused alg as a signature failure (IDX10511); only on this
        // failure path, read the header to say which it was.
        if (failure == TokenFailure.InvalidSignature && _handler.CanReadToken(token))
        {
            var alg = _handler.ReadJsonWebToken(token).Alg;
            if (!string.Equals(alg, _options.Algorithm, StringComparison.Ordinal))
            {
                return TokenFailure.InvalidAlgorithm;
            }
        }

        return failure;
    }

    private static TokenFailure ClassifyOuter(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => TokenFailure.Expired,
        SecurityTokenNotYetValidException => TokenFailure.NotYetValid,
        SecurityTokenNoExpirationException => TokenFailure.MissingLifetime,
        SecurityTokenInvalidIssuerException => TokenFailure.InvalidIssuer,
        SecurityTokenInvalidAudienceException => TokenFailure.InvalidAudience,
        SecurityTokenInvalidTypeException => TokenFailure.WrongTokenType,
        SecurityTokenInvalidAlgorithmException => TokenFailure.InvalidAlgorithm,
        SecurityTokenSignatureKeyNotFoundException => TokenFailure.UnknownKey,
        SecurityTokenInvalidSignatureException => TokenFailure.InvalidSignature,
        SecurityTokenMalformedException or ArgumentException => TokenFailure.Malformed,
        _ => TokenFailure.Invalid,
    };

    private sealed record SigningCredentialsCache(SigningKey Key, SigningCredentials Credentials);
}
