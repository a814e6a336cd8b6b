using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// src/Functions/JwtFunctions.http works as written: its requests run in order against the local
/// host, with the file's variables, <c>{{$guid}}</c> and <c>{{name.response.body.$.field}}</c>
/// resolved as Visual Studio and VS Code REST Client resolve them; each answers what its comment says.
/// </summary>
[Collection(FunctionsAppCollection.Name)]
public sealed partial class HttpFileTests(FunctionsAppFixture app, ITestOutputHelper output) : FunctionsAppTest(app, output)
{
    private static readonly Dictionary<string, HttpStatusCode> Expected = new()
    {
        ["register"] = HttpStatusCode.Created,
        ["login"] = HttpStatusCode.OK,
        ["protected"] = HttpStatusCode.OK,
        ["me"] = HttpStatusCode.OK,
        ["refresh"] = HttpStatusCode.OK,
        ["revoke"] = HttpStatusCode.OK,
        ["login2"] = HttpStatusCode.OK,
        ["logout"] = HttpStatusCode.NoContent,
        ["openapi"] = HttpStatusCode.OK,
    };

    [Fact]
    public async Task EveryRequestInTheHttpFileAnswersAsDocumented()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(AppBuild.RepositoryRoot, "src", "Functions", "JwtFunctions.http"));
        var variables = FileVariable().Matches(text).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim());
        variables["host"] = App.Host.BaseAddress.AbsoluteUri.TrimEnd('/');
        var responses = new Dictionary<string, JsonElement>();
        var names = new List<string>();

        foreach (var block in text.Split("###").Skip(1))
        {
            var lines = block.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            var name = lines.Select(l => RequestName().Match(l)).First(m => m.Success).Groups[1].Value;
            var requestLine = lines.FindIndex(l => RequestLine().IsMatch(l));
            var headerEnd = lines.FindIndex(requestLine, string.IsNullOrWhiteSpace);
            var headers = lines[(requestLine + 1)..(headerEnd < 0 ? lines.Count : headerEnd)];
            var body = headerEnd < 0 ? string.Empty : string.Join('\n', lines[(headerEnd + 1)..]).Trim();

            string Resolve(string value) => Placeholder().Replace(value, m => m.Groups[1].Value switch
            {
                "$guid" => Guid.NewGuid().ToString(),
                var reference when reference.Contains(".response.body.$.", StringComparison.Ordinal) =>
                    responses[reference[..reference.IndexOf('.')]].GetProperty(reference[(reference.LastIndexOf('.') + 1)..]).GetString()!,
                var variable => Regex.Replace(variables[variable], @"\{\{(\$?[\w.$]+)\}\}", inner => inner.Value == "{{$guid}}" ? Guid.NewGuid().ToString() : variables[inner.Groups[1].Value]),
            });

            var parts = Resolve(lines[requestLine]).Split(' ', 2);
            using var request = new HttpRequestMessage(new HttpMethod(parts[0]), parts[1]);
            string? contentType = null;
            foreach (var header in headers.Select(Resolve))
            {
                var (key, value) = (header[..header.IndexOf(':')].Trim(), header[(header.IndexOf(':') + 1)..].Trim());
                if (key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    contentType = value;
                }
                else
                {
                    request.Headers.TryAddWithoutValidation(key, value);
                }
            }

            if (body.Length > 0)
            {
                request.Content = new StringContent(Resolve(body), Encoding.UTF8);
                request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType!);
            }

            using var response = await Client.SendAsync(request);
            Assert.True(Expected[name] == response.StatusCode, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var content = await response.Content.ReadAsStringAsync();
            if (content.Length > 0 && response.Content.Headers.ContentType?.MediaType == "application/json")
            {
                responses[name] = JsonDocument.Parse(content).RootElement.Clone();
            }

            names.Add(name);
        }

        Assert.Equal(Expected.Keys, names);
    }

    [GeneratedRegex(@"^@(\w+)\s*=\s*(.+)$", RegexOptions.Multiline)]
    private static partial Regex FileVariable();

    [GeneratedRegex(@"^# @name (\w+)$")]
    private static partial Regex RequestName();

    [GeneratedRegex(@"^(GET|POST|PUT|DELETE|PATCH) ")]
    private static partial Regex RequestLine();

    [GeneratedRegex(@"\{\{(\$?[\w.$]+)\}\}")]
    private static partial Regex Placeholder();
}
