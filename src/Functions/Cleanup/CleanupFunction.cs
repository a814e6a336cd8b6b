using Microsoft.Azure.Functions.Worker;

namespace JwtFunctions.Cleanup;

/// <summary>The timer that deletes dead rows (<see cref="CleanupService"/>).</summary>
public sealed class CleanupFunction(CleanupService cleanup)
{
    public const string Name = "Cleanup";

    /// <summary>
    /// Runs on the schedule of the app setting <c>Cleanup__Schedule</c> (the host resolves
    /// <c>%Cleanup:Schedule%</c>; <see cref="CleanupOptions.DefaultSchedule"/> in infra/ and
    /// local.settings.json.example). Not an HTTP trigger: the Bearer middleware lets it through.
    /// </summary>
    [Function(Name)]
    public Task RunAsync([TimerTrigger("%Cleanup:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        cleanup.RunAsync(cancellationToken);
}
