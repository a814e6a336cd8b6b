using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace JwtFunctions.EndToEnd.Tests;

/// <summary>
/// Writes every status code a dependency-failure test observed (with the time since the test's
/// outage began) to the test output, so a run documents what the app answered and when.
/// </summary>
public sealed class DependencyObservations(ITestOutputHelper output)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Restarts the clock (e.g. when the outage begins).</summary>
    public void Mark(string what)
    {
        _clock.Restart();
        Note($"--- {what}");
    }

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Note(string line) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:0.0} s] {line}");

    /// <summary>Records the response's status, Retry-After and body (token values elided).</summary>
    public async Task<HttpResponseMessage> RecordAsync(string step, Task<HttpResponseMessage> call)
    {
        var watch = Stopwatch.StartNew();
        var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        var retryAfter = response.Headers.RetryAfter?.Delta is { } delta ? $" Retry-After: {delta.TotalSeconds:0}" : string.Empty;
        Note($"{step} -> {(int)response.StatusCode}{retryAfter} in {watch.Elapsed.TotalSeconds:0.0} s {Shorten(body)}");
        return response;
    }

    /// <summary>Asserts a 503 <c>temporarily_unavailable</c> JSON error with a Retry-After header.</summary>
    public static async Task AssertTemporarilyUnavailableAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"expected 503, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("temporarily_unavailable", json.RootElement.GetProperty("error").GetString());
        Assert.True(json.RootElement.TryGetProperty("error_description", out _), body);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.True(response.Headers.RetryAfter!.Delta > TimeSpan.Zero, "Retry-After must be a positive delay");
    }

    private static string Shorten(string body)
    {
        if (body.Contains("access_token", StringComparison.Ordinal))
        {
            return "{tokens}";
        }

        return body.Length > 200 ? body[..200] + "..." : body;
    }
}
