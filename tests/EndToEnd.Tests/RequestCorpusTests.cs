using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// A hostile request corpus against every endpoint, through the real worker: malformed JSON, wrong
/// types, nulls, empty strings, unicode and control characters, Table Storage key and filter
/// injection in usernames, bodies over 16 KiB and of several MiB, wrong content types, wrong
/// methods. For every case: the exact status, never a 500, a JSON error body on every 4xx the app
/// answers, and not one stored row added, removed or changed (all tables, every property, ETag
/// and Timestamp, read before and after). Wrong passwords, which must change the lock-out counter,
/// are checked apart.
/// </summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class RequestCorpusTests(FunctionsAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output)
{
    private const string Json = "application/json";
    private const string Form = "application/x-www-form-urlencoded";
    private const string NoContentType = "-";
    private const string InvalidRequest = "invalid_request";
    private const string InvalidGrant = "invalid_grant";
    private const string InvalidToken = "invalid_token";
    private const string ValidPassword = "a valid long password";

    private static readonly SemaphoreSlim UserLock = new(1, 1);
    private static (FunctionsAppFixture Fixture, string Username, string Access)? _user;

    /// <summary>Endpoints: method, path, and whether the corpus user's access token is sent.</summary>
    private static readonly Dictionary<string, (string Method, string Path, bool Authenticated)> Endpoints = new()
    {
        ["register"] = ("POST", "api/v1.0/register", false),
        ["login"] = ("POST", "api/v1.0/login", false),
        ["refresh"] = ("POST", "api/v1.0/refresh", false),
        ["protected"] = ("GET", "api/v1.0/protected", true),
        ["logout"] = ("POST", "api/v1.0/logout", true),
        ["password"] = ("POST", "api/v1.0/password", true),
        ["revoke"] = ("POST", "api/v1.0/revoke", false),
        ["health"] = ("GET", "api/health", false),
    };

    /// <summary>Admin endpoints: called with an admin token (role admin, signed with the app's key); the target user need not exist, input is checked first.</summary>
    private static readonly Dictionary<string, (string Method, string Path)> AdminEndpoints = new()
    {
        ["admin-create"] = ("POST", "api/v1.0/admin/users"),
        ["admin-roles"] = ("PUT", "api/v1.0/admin/users/corpus-target/roles"),
        ["admin-password"] = ("POST", "api/v1.0/admin/users/corpus-target/password"),
        ["admin-disable"] = ("POST", "api/v1.0/admin/users/corpus-target/disable"),
    };

    /// <summary>
    /// endpoint, content type (<c>-</c>: none), body, status, <c>error</c>. Bodies are literal
    /// text, or <c>hex:..</c> (raw bytes), <c>big:N</c> (a JSON object of N bytes),
    /// <c>chunked:N</c> (the same without Content-Length), or empty (no body at all).
    /// </summary>
    public static TheoryData<string, string, string, int, string?> Corpus
    {
        get
        {
            var data = new TheoryData<string, string, string, int, string?>();
            var bodyEndpoints = new[] { "register", "login", "password", "logout", "refresh", "revoke", "admin-create", "admin-roles", "admin-password" };

            // Shapes that are not the expected JSON object, for every endpoint that reads a body.
            foreach (var endpoint in bodyEndpoints)
            {
                foreach (var body in new[]
                         {
                             "{", "{\"username\":}", "{\"a\":1,}", "{} trailing", "[]", "[{}]", "\"text\"", "42", "true", "null",
                             "{'single':'quotes'}", "{\"a\":\"unterminated}", "hex:7b 22 61 22 3a 22 ff fe 22 7d", "hex:ef bb bf 7b 7d 00",
                             "hex:00 00 00 00", "{\"a\":" + new string('[', 100) + new string(']', 100) + "}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\x41\"}",
                             "{\"a\":NaN}", "{\"a\":01}", "<xml/>",
                             // invalid UTF-8 (RFC 8259 §8.1) in the value of the endpoint's own string field
                             "hex:" + Convert.ToHexString(Encoding.UTF8.GetBytes($"{{\"{StringField(endpoint)}\":\"")) + "ff fe 22 7d",
                         })
                {
                    data.Add(endpoint, Json, body, 400, InvalidRequest);
                }

                // Over 16 KiB: 413 whether announced by Content-Length, only found by reading, or several MiB.
                data.Add(endpoint, Json, "big:16385", 413, InvalidRequest);
                data.Add(endpoint, Json, "chunked:20000", 413, InvalidRequest);
                data.Add(endpoint, Json, "big:6291456", 413, InvalidRequest);

                // A well-formed body in another media type: 415 (revoke also takes a form, see below).
                foreach (var type in new[] { "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/json; charset=utf-16", "application/jsonx", "application/json, text/plain", NoContentType })
                {
                    data.Add(endpoint, type, "{\"username\":\"someone\",\"password\":\"a valid long password\",\"token\":\"t\"}", 415, InvalidRequest);
                }

                if (endpoint != "revoke")
                {
                    data.Add(endpoint, Form, "username=someone&password=a+valid+long+password", 415, InvalidRequest);
                }
            }

            // register: every invalid field is a 400 before any hashing or storage.
            foreach (var body in new[]
                     {
                         "{\"username\":123,\"password\":\"a valid long password\"}", "{\"username\":\"valid.name\",\"password\":12345678901234}",
                         "{\"username\":{\"$ne\":null},\"password\":\"a valid long password\"}", "{\"username\":[\"a\"],\"password\":\"a valid long password\"}",
                         "{\"username\":true,\"password\":false}",
                         // raw UTF-8 (the serializer would escape it)
                         "{\"username\":\"Ünïcødé\",\"password\":\"a valid long password\"}", "{\"username\":\"emoji😀\",\"password\":\"pässwörd-😀-long\"}",
                     })
            {
                data.Add("register", Json, body, 400, InvalidRequest);
            }

            foreach (var username in HostileUsernames)
            {
                data.Add("register", Json, JsonSerializer.Serialize(new { username, password = ValidPassword }), 400, InvalidRequest);
            }

            foreach (var password in new[] { null, "", "short", new string('p', 11), new string('p', 129), new string('p', 5000) })
            {
                data.Add("register", Json, JsonSerializer.Serialize(new { username = "valid.name." + (password?.Length ?? -1), password }), 400, InvalidRequest);
            }

            data.Add("register", Json, "{}", 400, InvalidRequest);

            // Common passwords (NIST SP 800-63B §3.1.1.2), on every endpoint that takes a new one:
            // 400 before any hashing or storage.
            foreach (var password in CommonPasswords)
            {
                data.Add("register", Json, JsonSerializer.Serialize(new { username = "valid.common", password }), 400, InvalidRequest);
                data.Add("password", Json, JsonSerializer.Serialize(new { current_password = ValidPassword, new_password = password }), 400, InvalidRequest);
                data.Add("admin-create", Json, JsonSerializer.Serialize(new { username = "valid.admin.common", password }), 400, InvalidRequest);
                data.Add("admin-password", Json, JsonSerializer.Serialize(new { new_password = password }), 400, InvalidRequest);
            }

            // login: wrong types are 400; over-long credentials 400 before any work; everything
            // else that parses is the generic 401 (after the same hashing work) and stores nothing.
            foreach (var body in new[] { "{\"username\":123,\"password\":\"x\"}", "{\"username\":\"a\",\"password\":[1]}", "{\"username\":{},\"password\":{}}" })
            {
                data.Add("login", Json, body, 400, InvalidRequest);
            }

            data.Add("login", Json, JsonSerializer.Serialize(new { username = new string('u', 65), password = ValidPassword }), 400, InvalidRequest);
            data.Add("login", Json, JsonSerializer.Serialize(new { username = "someone", password = new string('p', 129) }), 400, InvalidRequest);
            data.Add("login", Json, "{}", 401, InvalidGrant);
            data.Add("login", Json, "{\"username\":null,\"password\":null}", 401, InvalidGrant);
            data.Add("login", Json, "{\"username\":\"\",\"password\":\"\"}", 401, InvalidGrant);
            data.Add("login", Json, JsonSerializer.Serialize(new { username = "nobody-" + "x", password = ValidPassword }), 401, InvalidGrant);
            foreach (var username in new[] { "a/b", "a\\b", "a#b", "a?b", "x' or PartitionKey ne '", "\"quoted\"", "\u0000nul", "Ünïcødé", "\u202Eevil" })
            {
                data.Add("login", Json, JsonSerializer.Serialize(new { username, password = ValidPassword }), 401, InvalidGrant);
            }

            // refresh (token in the body): wrong types 400, missing token the bare 401, junk the malformed-token 401.
            foreach (var body in new[] { "{\"refresh_token\":123}", "{\"refresh_token\":{}}", "{\"refresh_token\":[\"a.b.c\"]}", "{\"refresh_token\":true}" })
            {
                data.Add("refresh", Json, body, 400, InvalidRequest);
            }

            data.Add("refresh", Json, "{}", 401, InvalidToken);
            data.Add("refresh", Json, "{\"refresh_token\":null}", 401, InvalidToken);
            data.Add("refresh", Json, "{\"refresh_token\":\"\"}", 401, InvalidToken);
            data.Add("refresh", NoContentType, string.Empty, 401, InvalidToken);
            foreach (var token in new[] { "garbage", "a.b.c", "' or 1 eq 1 --", "a/b#c?d", "Ünïcødé.\u0001.x", new string('x', 5000) })
            {
                data.Add("refresh", Json, JsonSerializer.Serialize(new { refresh_token = token }), 401, InvalidToken);
            }

            // logout (access token): a wrong "all" is 400 and must not log anyone out.
            foreach (var body in new[] { "{\"all\":\"yes\"}", "{\"all\":1}", "{\"all\":null}", "{\"all\":[true]}", "{\"all\":{}}" })
            {
                data.Add("logout", Json, body, 400, InvalidRequest);
            }

            // password (access token): invalid new passwords and wrong types are 400 before the current one is checked.
            foreach (var body in new[]
                     {
                         "{}", "{\"current_password\":null,\"new_password\":null}", "{\"current_password\":\"\",\"new_password\":\"\"}",
                         "{\"current_password\":\"x\",\"new_password\":\"short\"}", "{\"current_password\":123,\"new_password\":\"a valid long password\"}",
                         "{\"current_password\":\"x\",\"new_password\":[\"a valid long password\"]}",
                         JsonSerializer.Serialize(new { current_password = new string('p', 129), new_password = ValidPassword }),
                         JsonSerializer.Serialize(new { current_password = "x", new_password = new string('p', 129) }),
                         JsonSerializer.Serialize(new { current_password = "x", new_password = "\u0000\u0001\u0002" }),
                     })
            {
                data.Add("password", Json, body, 400, InvalidRequest);
            }

            // revoke (RFC 7009): no token 400, repeated parameters 400, any well-formed request 200 (and nothing stored for junk).
            foreach (var (type, body) in new[]
                     {
                         (Form, "token="), (Form, "token_type_hint=access_token"), (Form, "token=a&token=b"), (Form, "x=1"), (Form, "&&&="),
                         (Json, "{}"), (Json, "{\"token\":null}"), (Json, "{\"token\":\"\"}"),
                         (Form, "token=a&token_type_hint=refresh_token&token_type_hint=access_token"),
                     })
            {
                data.Add("revoke", type, body, 400, InvalidRequest);
            }

            foreach (var body in new[] { "{\"token\":123}", "{\"token\":[\"a\"]}", "{\"token\":\"a\",\"token_type_hint\":5}" })
            {
                data.Add("revoke", Json, body, 400, InvalidRequest);
            }

            data.Add("revoke", NoContentType, string.Empty, 400, InvalidRequest);
            foreach (var (type, body) in new[]
                     {
                         (Form, "token=garbage"), (Form, "token=a.b.c&token_type_hint=refresh_token"), (Form, "token=%ZZ%00%C3%28&token_type_hint=%FF"),
                         (Form, "token=x'%20or%20'1'%20eq%20'1"), (Form, "token=" + new string('t', 15000)), (Json, "{\"token\":\"\\u0000\\u202e\",\"token_type_hint\":\"weird\"}"),
                         (Json, "{\"token\":\"a/b\\\\c#d?e\"}"),
                     })
            {
                data.Add("revoke", type, body, 200, null);
            }

            // admin: every invalid field is a 400 before any hashing or storage.
            foreach (var username in HostileUsernames)
            {
                data.Add("admin-create", Json, JsonSerializer.Serialize(new { username, password = ValidPassword }), 400, InvalidRequest);
            }

            foreach (var password in new[] { null, "", "short", new string('p', 11), new string('p', 129) })
            {
                data.Add("admin-create", Json, JsonSerializer.Serialize(new { username = "valid.admin." + (password?.Length ?? -1), password }), 400, InvalidRequest);
                data.Add("admin-password", Json, JsonSerializer.Serialize(new { new_password = password }), 400, InvalidRequest);
            }

            foreach (var roles in new[]
                     {
                         "\"admin\"", "[1]", "[null]", "[\"\"]", "[\"has space\"]", "[\"quote\\\"\"]", "[[\"admin\"]]", "{\"admin\":true}", "[\"ünï\"]",
                         "[\"" + new string('r', 65) + "\"]", "[" + string.Join(',', Enumerable.Range(0, 33).Select(i => $"\"r{i}\"")) + "]",
                     })
            {
                data.Add("admin-create", Json, $"{{\"username\":\"valid.admin.roles\",\"password\":\"{ValidPassword}\",\"roles\":{roles}}}", 400, InvalidRequest);
                data.Add("admin-roles", Json, $"{{\"roles\":{roles}}}", 400, InvalidRequest);
            }

            foreach (var scope in new[] { "\"a  b\"", "\" a\"", "\"a \"", "\"a,b\"", "\"a\\\"b\"", "5", "[\"a\"]", "\"a\\u0000\"" })
            {
                data.Add("admin-create", Json, $"{{\"username\":\"valid.admin.scope\",\"password\":\"{ValidPassword}\",\"scope\":{scope}}}", 400, InvalidRequest);
            }

            data.Add("admin-create", Json, "{}", 400, InvalidRequest);
            data.Add("admin-roles", Json, "{}", 400, InvalidRequest);
            data.Add("admin-roles", Json, "{\"roles\":null}", 400, InvalidRequest);
            data.Add("admin-password", Json, "{}", 400, InvalidRequest);
            data.Add("admin-password", Json, "{\"new_password\":123}", 400, InvalidRequest);

            // admin actions without a body: one that is sent is refused, not ignored.
            data.Add("admin-disable", Json, "{}", 400, InvalidRequest);
            data.Add("admin-disable", Json, "big:16385", 413, InvalidRequest);
            data.Add("admin-disable", Json, "   ", 404, "not_found"); // whitespace is no body: the (unknown) target is looked up

            // protected and health ignore bodies.
            data.Add("protected", Json, "{", 200, null);
            data.Add("protected", "text/plain", "big:16385", 200, null);
            data.Add("health", Json, "hex:ff 00 fe", 200, null);
            return data;
        }
    }

    private static string StringField(string endpoint) => endpoint switch
    {
        "password" => "current_password",
        "logout" => "all",
        "refresh" => "refresh_token",
        "revoke" => "token",
        "admin-roles" => "roles",
        "admin-password" => "new_password",
        _ => "username",
    };

    /// <summary>On zxcvbn's password-frequency list, or an entry of it repeated, and 12-128 characters long.</summary>
    private static readonly string[] CommonPasswords = ["qwerty123456", "1q2w3e4r5t6y", "LeaveMeAlone", "passwordpassword", "123456123456"];

    /// <summary>Usernames that must never become a Table Storage key or reach a filter.</summary>
    private static readonly string[] HostileUsernames =
    [
        "", "ab", new string('u', 65), "has space", "a/b", "a\\b", "a#b", "a?b", "x'y", "x\"y", "x' or PartitionKey ne '",
        "' or '1' eq '1", "a\u0000b", "a\tb", "a\nb", "a\u007fb", "\u202Eevil", "zero\u200Bwidth", "Ünïcødé", "emoji😀x", "ａｂｃ", "../users",
        "%2F%23", "a*", "PartitionKey eq 'x'",
    ];

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task AHostileRequestGetsItsExactStatusAJsonErrorAndChangesNothingStored(string endpoint, string contentType, string body, int status, string? error)
    {
        var admin = AdminEndpoints.TryGetValue(endpoint, out var adminEndpoint);
        var (method, path, authenticated) = admin ? (adminEndpoint.Method, adminEndpoint.Path, false) : Endpoints[endpoint];
        var access = admin ? Admin.AdminApi.AdminToken(App.SigningKey, "corpus-admin") : authenticated ? await GetCorpusUserAccessTokenAsync() : null;
        var before = await StoredState.CaptureAsync(App.StorageConnectionString);

        using var response = await SendAsync(new HttpMethod(method), path, access, contentType, body);

        var text = await response.Content.ReadAsStringAsync();
        if (authenticated && response.StatusCode is not (HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnsupportedMediaType))
        {
            // The request got through (or the session is gone): the next case gets a fresh user.
            _user = null;
        }

        Assert.True((int)response.StatusCode != 500, $"500 for {endpoint} {Shorten(body)}: {text}");
        Assert.True((int)response.StatusCode == status, $"{endpoint} {contentType} {Shorten(body)}: expected {status}, got {(int)response.StatusCode} {text}");
        if (status >= 400)
        {
            AssertJsonError(response, text, error!);
        }

        // Password-attempt counters (the Throttle table) count these requests by design; ThrottlingTests checks them.
        var changes = WithoutThrottleCounters((await StoredState.CaptureAsync(App.StorageConnectionString)).ChangesSince(before));
        Assert.True(changes.Count == 0, $"{endpoint} {Shorten(body)} changed stored data:{Environment.NewLine}{string.Join(Environment.NewLine, changes)}");
    }

    /// <summary>Hostile <c>limit</c> and <c>continuation</c> values of the admin user listing: 400, nothing stored.</summary>
    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    [InlineData("limit=-1")]
    [InlineData("limit=%2B5")]
    [InlineData("limit=1.5")]
    [InlineData("limit=abc")]
    [InlineData("limit=")]
    [InlineData("limit=%00")]
    [InlineData("limit=99999999999999999999")]
    [InlineData("limit=5&limit=6")]
    [InlineData("continuation=x")]
    [InlineData("continuation=")]
    [InlineData("continuation=x'%20or%20PartitionKey%20ne%20'")]
    [InlineData("continuation=a%2Fb")]
    [InlineData("continuation=%FF%FE")]
    [InlineData("continuation=abc&continuation=abd")]
    public async Task AHostileUserListingQueryIs400AndChangesNothingStored(string query)
    {
        var before = await StoredState.CaptureAsync(App.StorageConnectionString);

        using var response = await SendAsync(HttpMethod.Get, "api/v1.0/admin/users?" + query, Admin.AdminApi.AdminToken(App.SigningKey, "corpus-admin"), NoContentType, string.Empty);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query}: {(int)response.StatusCode} {text}");
        AssertJsonError(response, text, InvalidRequest);
        Assert.Empty((await StoredState.CaptureAsync(App.StorageConnectionString)).ChangesSince(before));
    }

    public static TheoryData<string, string> WrongMethods
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var (endpoint, (method, _, _)) in Endpoints)
            {
                foreach (var wrong in new[] { "GET", "POST", "PUT", "DELETE", "PATCH" }.Where(m => m != method))
                {
                    data.Add(endpoint, wrong);
                }
            }

            return data;
        }
    }

    /// <summary>
    /// A wrong method is refused by the host's routing (the worker is never invoked): 404, as the
    /// Functions host answers it (method constraints on its routes, never 405; see
    /// HostFidelity/fidelity.json, row wrong-method), nothing stored.
    /// </summary>
    [Theory]
    [MemberData(nameof(WrongMethods))]
    public async Task AWrongMethodIs404AndChangesNothingStored(string endpoint, string method)
    {
        var (_, path, _) = Endpoints[endpoint];
        var access = await GetCorpusUserAccessTokenAsync();
        var before = await StoredState.CaptureAsync(App.StorageConnectionString);

        using var response = await SendAsync(new HttpMethod(method), path, access, Json, "{\"all\":true}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty((await StoredState.CaptureAsync(App.StorageConnectionString)).ChangesSince(before));
    }

    [Fact]
    public async Task TheCorpusUserIsUntouchedByTheWholeCorpus()
    {
        // Runs in any order relative to the corpus; with the per-case comparison it shows the
        // account the authenticated cases used still logs in and its token still works.
        var access = await GetCorpusUserAccessTokenAsync();
        using var response = await SendAsync(HttpMethod.Get, "api/v1.0/protected", access, NoContentType, string.Empty);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_user!.Value.Username, (await SessionTests.Json(response)).GetProperty("username").GetString());
    }

    /// <summary>
    /// Kept out of the no-change comparison on purpose: a wrong password must be counted. It
    /// changes exactly one row, the account's lock-out counter, by exactly one failure.
    /// </summary>
    [Theory]
    [InlineData("login")]
    [InlineData("password")]
    public async Task AWrongPasswordChangesOnlyThatAccountsLockoutCounter(string endpoint)
    {
        var (username, tokens) = await App.NewSessionAsync();
        var user = username.ToLowerInvariant();
        var before = await StoredState.CaptureAsync(App.StorageConnectionString);

        using var response = endpoint == "login"
            ? await Client.PostAsJsonAsync("api/v1.0/login", new { username, password = "not the right password" })
            : await SendAsync(HttpMethod.Post, "api/v1.0/password", tokens.Access, Json,
                JsonSerializer.Serialize(new { current_password = "not the right password", new_password = "another valid password" }));

        Assert.Equal(endpoint == "login" ? HttpStatusCode.Unauthorized : HttpStatusCode.BadRequest, response.StatusCode);
        AssertJsonError(response, await response.Content.ReadAsStringAsync(), InvalidGrant);
        var changes = WithoutThrottleCounters((await StoredState.CaptureAsync(App.StorageConnectionString)).ChangesSince(before));
        // The setup's own login already wrote the row (every password check is reserved in it).
        var change = Assert.Single(changes);
        Assert.Matches($"^(added  |changed) Users/{user}/lockout:", change);
        var lockout = await StoredState.ReadAsync(App.StorageConnectionString, "Users", user, "lockout");
        Assert.Equal(1, lockout!.GetInt32("Failures"));
        Assert.Equal(0, lockout.GetInt32("Lockouts"));
    }

    /// <summary>
    /// The changes less the password-attempt counters (Throttle table), which count every attempt
    /// by design (Throttling/ThrottlingTests checks them). Lines read "added   Table/PK/RK: ...".
    /// </summary>
    private static List<string> WithoutThrottleCounters(IReadOnlyList<string> changes) =>
        changes.Where(change => !change[8..].StartsWith("Throttle/", StringComparison.Ordinal)).ToList();

    private static void AssertJsonError(HttpResponseMessage response, string text, string error)
    {
        Assert.True(response.Content.Headers.ContentType?.MediaType == Json, $"{(int)response.StatusCode} without a JSON body: {text}");
        using var body = JsonDocument.Parse(text);
        Assert.Equal(error, body.RootElement.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("error_description").GetString()));
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? access, string contentType, string body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (access is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        }

        if (body.Length > 0)
        {
            HttpContent content = body.StartsWith("chunked:", StringComparison.Ordinal)
                ? new StreamContent(new UnknownLengthStream(BigJson(int.Parse(body["chunked:".Length..]))))
                : new ByteArrayContent(Bytes(body));
            if (contentType != NoContentType)
            {
                Assert.True(content.Headers.TryAddWithoutValidation("Content-Type", contentType));
            }

            request.Content = content;
        }

        return await Client.SendAsync(request);
    }

    private static byte[] Bytes(string body) => body switch
    {
        _ when body.StartsWith("hex:", StringComparison.Ordinal) => Convert.FromHexString(body[4..].Replace(" ", string.Empty)),
        _ when body.StartsWith("big:", StringComparison.Ordinal) => BigJson(int.Parse(body[4..])),
        _ => Encoding.UTF8.GetBytes(body),
    };

    /// <summary>A well-formed JSON object of exactly <paramref name="size"/> bytes.</summary>
    private static byte[] BigJson(int size)
    {
        const string prefix = "{\"username\":\"someone\",\"password\":\"";
        return Encoding.ASCII.GetBytes(prefix + new string('p', size - prefix.Length - 2) + "\"}");
    }

    private static string Shorten(string body) => body.Length > 80 ? body[..80] + "..." : body;

    private async Task<string> GetCorpusUserAccessTokenAsync()
    {
        await UserLock.WaitAsync();
        try
        {
            if (_user is not { } user || user.Fixture != App)
            {
                var (username, tokens) = await App.NewSessionAsync();
                _user = (App, username.ToLowerInvariant(), tokens.Access);
            }

            return _user.Value.Access;
        }
        finally
        {
            UserLock.Release();
        }
    }

    /// <summary>A stream whose length is unknown, so the client sends it chunked, without Content-Length.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
