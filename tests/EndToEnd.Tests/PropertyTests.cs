using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// Property-based tests (CsCheck) through the real worker and host: random Authorization header
/// values and random request bodies never crash anything (no 500, no reset connection, every
/// response complete) and never authenticate. Iterations are bounded and run on two threads, so
/// each property takes a second or two; a failure is shrunk and its message carries the seed to
/// replay it with (<c>seed:</c> argument of <c>SampleAsync</c>).
/// </summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class PropertyTests(FunctionsAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output)
{
    public const int Iterations = 200;
    private const int Threads = 2;

    private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>Bytes a header value can carry on the wire (HTTP/1.1 forbids CR, LF and NUL in a field value).</summary>
    private static readonly Gen<string> HeaderBytes =
        Gen.Byte.Where(b => b is not (0 or (byte)'\r' or (byte)'\n')).Array[0, 600].Select(bytes => Encoding.Latin1.GetString(bytes));

    /// <summary>Printable ASCII and tab: values the server passes on, so the app's own parsing answers.</summary>
    private static readonly Gen<string> PrintableHeaderBytes =
        Gen.Byte[0x20, 0x7e].Array[0, 600].Select(bytes => Encoding.ASCII.GetString(bytes));

    /// <summary>Strings shaped like tokens: three base64url segments of random length, sometimes with a real header.</summary>
    private static readonly Gen<string> TokenShaped = Gen.OneOf(
        Gen.Select(Gen.String[Gen.Char[Base64UrlAlphabet], 0, 200], Gen.String[Gen.Char[Base64UrlAlphabet], 0, 400], Gen.String[Gen.Char[Base64UrlAlphabet + "=.+/~"], 0, 100],
            (a, b, c) => $"{a}.{b}.{c}"),
        Gen.Select(Gen.Byte.Array[0, 300], Gen.Byte.Array[0, 64],
            (payload, signature) => $"{TokenForge.Encode(TokenForge.Header())}.{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(payload)}.{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(signature)}"));

    [Fact]
    public async Task RandomBytesAsTheAuthorizationHeaderNeverCrashAndNeverAuthenticate()
    {
        using var client = RawHeaderClient(Encoding.Latin1);
        await RunAsync(
            Gen.OneOf(HeaderBytes, HeaderBytes.Select(value => "Bearer " + value), PrintableHeaderBytes, PrintableHeaderBytes.Select(value => "Bearer " + value)),
            value => AssertNeverAuthenticatedAsync(client, value));
    }

    [Fact]
    public async Task RandomUnicodeStringsAsTheAuthorizationHeaderNeverCrashAndNeverAuthenticate()
    {
        using var client = RawHeaderClient(Encoding.UTF8);
        var values = Gen.String.Select(value => value.Replace("\r", string.Empty).Replace("\n", string.Empty).Replace("\0", string.Empty));
        await RunAsync(Gen.OneOf(values, values.Select(value => "Bearer " + value), values.Select(value => "bearer " + value)), value => AssertNeverAuthenticatedAsync(client, value));
    }

    [Fact]
    public async Task RandomTokenShapedBearerValuesNeverAuthenticate()
    {
        using var client = RawHeaderClient(Encoding.ASCII);
        await RunAsync(TokenShaped, token => AssertNeverAuthenticatedAsync(client, "Bearer " + token, expectChallenge: true));
    }

    [Fact]
    public async Task RandomRequestBodiesNeverCrashAndNeverGrantAnything()
    {
        var (_, tokens) = await App.NewSessionAsync();
        var endpoints = new[] { "register", "login", "refresh", "revoke", "password" };
        var contentTypes = new[] { "application/json", "application/x-www-form-urlencoded", "text/plain", null };
        var bodies = Gen.OneOf(
            Gen.Byte.Array[0, 2000],
            Gen.String[0, 500].Select(Encoding.UTF8.GetBytes),
            Gen.String[Gen.Char["{}[]\":,0123456789.eEtrufalsn -\\u"], 0, 300].Select(Encoding.UTF8.GetBytes));

        await RunAsync(Gen.Select(Gen.Int[0, endpoints.Length - 1], Gen.Int[0, contentTypes.Length - 1], bodies), async (e, c, body) =>
        {
            var endpoint = endpoints[e];
            using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1.0/{endpoint}") { Content = new ByteArrayContent(body) };
            if (contentTypes[c] is { } type)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }

            if (endpoint == "password")
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + tokens.Access);
            }

            using var response = await Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            Assert.True(status != 500, $"500 from {endpoint}: {text}");
            Assert.True(status < 500, $"{status} from {endpoint}: {text}");
            var granted = endpoint switch
            {
                "register" => status == 201,
                "login" or "refresh" => status == 200,
                "password" => status == 204,
                _ => false,
            };
            Assert.False(granted, $"{endpoint} granted {status} to a random body: {text}");
            if (status >= 400)
            {
                Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
                Assert.True(JsonDocument.Parse(text).RootElement.TryGetProperty("error", out _), text);
            }
        }, print: t => $"{t.Item1}, {t.Item2}, {Convert.ToHexString(t.Item3)}");
    }

    [Fact]
    public async Task RandomStringsInTheJsonFieldsNeverCrashAndNeverGrantAnything()
    {
        // Register with a password too short to be accepted (so nothing is hashed or created),
        // refresh with the string as the token, revoke with it as the token to revoke.
        var fields = Gen.Select(Gen.Int[0, 2], Gen.OneOf(Gen.String[0, 100], Gen.String[Gen.Char["abcXYZ019._@-/\\#?'\" \u0000\u00e9\u202e"], 0, 80]));
        await RunAsync(fields, async (which, value) =>
        {
            var (path, body) = which switch
            {
                0 => ("api/v1.0/register", JsonSerializer.Serialize(new { username = value, password = "short" })),
                1 => ("api/v1.0/refresh", JsonSerializer.Serialize(new { refresh_token = value })),
                _ => ("api/v1.0/revoke", JsonSerializer.Serialize(new { token = value })),
            };
            using var response = await Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"{status} from {path}: {text}");
            Assert.True(which switch { 0 => status == 400, 1 => status == 401, _ => status is 200 or 400 }, $"{status} from {path} for {body}: {text}");
        });
    }

    private async Task RunAsync<T>(Gen<T> gen, Func<T, Task> property, Func<T, string>? print = null)
    {
        var runs = 0;
        await gen.SampleAsync(async value =>
        {
            Interlocked.Increment(ref runs);
            await property(value);
        }, writeLine: Output, iter: Iterations, threads: Threads, print: print);
        Output($"{runs} runs through the worker");
        Assert.True(runs >= Iterations);
    }

    private async Task RunAsync<T1, T2>(Gen<(T1, T2)> gen, Func<T1, T2, Task> property) =>
        await RunAsync(gen, t => property(t.Item1, t.Item2));

    private async Task RunAsync<T1, T2, T3>(Gen<(T1, T2, T3)> gen, Func<T1, T2, T3, Task> property, Func<(T1, T2, T3), string>? print = null) =>
        await RunAsync(gen, t => property(t.Item1, t.Item2, t.Item3), print);

    private void Output(string line) => App.Log.Write(line);

    /// <summary>GET protected and POST logout with the raw value: never 2xx, never 5xx, always a complete answer.</summary>
    private static async Task AssertNeverAuthenticatedAsync(HttpClient client, string authorization, bool expectChallenge = false)
    {
        foreach (var (method, path) in new[] { (HttpMethod.Get, "api/v1.0/protected"), (HttpMethod.Post, "api/v1.0/logout") })
        {
            using var request = new HttpRequestMessage(method, path);
            Assert.True(request.Headers.TryAddWithoutValidation("Authorization", authorization));
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            Assert.True(status is >= 400 and < 500, $"{status} for {path}: {text}");

            // 400 (431) only when the server itself refuses the header line (bytes HTTP forbids);
            // whatever reaches the app is its 401.
            if (status != 400)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                Assert.StartsWith("Bearer", SessionTests.Challenge(response));
                Assert.False(text.Contains("username", StringComparison.Ordinal), text);
            }
            else
            {
                Assert.False(expectChallenge, $"token-shaped value refused with 400: {text}");
            }
        }
    }

    private HttpClient RawHeaderClient(Encoding encoding) => new(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => encoding })
    {
        BaseAddress = App.Host.BaseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };
}
