using JwtFunctions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace JwtFunctions.Cleanup;

/// <summary>The cleanup of dead rows, bound from the <c>Cleanup</c> section.</summary>
public sealed class CleanupOptions
{
    public const string SectionName = "Cleanup";

    /// <summary>The default <see cref="Schedule"/>: every 10 minutes, at second 0.</summary>
    public const string DefaultSchedule = "0 */10 * * * *";

    /// <summary>
    /// When the cleanup runs: an NCRONTAB expression (6 fields, seconds first) or a TimeSpan, as the
    /// Functions host's timer trigger reads it. The host resolves <c>%Cleanup:Schedule%</c> from the
    /// app setting <c>Cleanup__Schedule</c>; the app reads it only to document the default here.
    /// </summary>
    public string Schedule { get; set; } = DefaultSchedule;

    /// <summary>Rows one run deletes at most (several instances may run at once, each within it). Default 5,000.</summary>
    public int MaxDeletesPerRun { get; set; } = 5_000;
}

public sealed class CleanupOptionsValidator : IValidateOptions<CleanupOptions>
{
    public ValidateOptionsResult Validate(string? name, CleanupOptions options) =>
        options.MaxDeletesPerRun is < 100 or > 1_000_000
            ? ValidateOptionsResult.Fail("Cleanup:MaxDeletesPerRun must be between 100 and 1,000,000 rows (default 5,000); it bounds the storage work of one cleanup run.")
            : ValidateOptionsResult.Success;
}

public static class CleanupServiceCollectionExtensions
{
    /// <summary>The cleanup the timer function runs.</summary>
    internal static IServiceCollection AddCleanup(this IServiceCollection services)
    {
        services.AddValidatedOptions<CleanupOptions, CleanupOptionsValidator>(CleanupOptions.SectionName);
        services.TryAddSingleton<CleanupService>();
        return services;
    }
}
