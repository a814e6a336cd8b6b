using System.Diagnostics;

namespace JwtFunctions.EndToEnd.Tests.Admin;

/// <summary>One run of the tool: its exit code and everything it wrote.</summary>
public sealed record ToolRun(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}{Environment.NewLine}stdout:{Environment.NewLine}{Out}stderr:{Environment.NewLine}{Error}";
}

/// <summary>
/// Starts the built tool (<c>dotnet JwtFunctions.AdminTool.dll</c>, copied next to the tests by the
/// project reference) as an operator would, with stdin redirected (so passwords come from stdin) and
/// none of the storage, proxy or managed-identity settings other tests may leave in this process's
/// environment.
/// </summary>
public static class AdminTool
{
    private static readonly string ToolPath = Path.Combine(AppContext.BaseDirectory, "JwtFunctions.AdminTool.dll");

    public static async Task<ToolRun> RunAsync(IEnumerable<string> arguments, string? stdin = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ToolPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("AzureWebJobsStorage", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Storage__", StringComparison.Ordinal)
            || k.StartsWith("IDENTITY_", StringComparison.Ordinal) || k.EndsWith("_PROXY", StringComparison.OrdinalIgnoreCase) || k == "SSL_CERT_FILE").ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();

        // A guard against a hung tool, not a timing assertion.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The admin tool did not finish within 2 minutes: {string.Join(' ', arguments)}");
        }

        return new ToolRun(process.ExitCode, await stdout, await stderr);
    }
}
