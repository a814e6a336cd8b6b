using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using JwtFunctions.FunctionsHost.Rpc;
using Microsoft.Extensions.Logging;
using NCrontab;

namespace JwtFunctions.FunctionsHost;

/// <summary>A timer-triggered function as the host schedules it.</summary>
public sealed record TimerFunctionInfo(
    string Name,
    string FunctionId,
    string TriggerBindingName,
    string ScheduleExpression,
    TimerSchedule Schedule,
    bool RunOnStartup,
    bool UseMonitor);

/// <summary>
/// A timer schedule as azure-webjobs-sdk-extensions reads one (Timers/Scheduling/TimerSchedule.cs
/// <c>Create</c>, CronSchedule.cs): <c>%name%</c> tokens resolved from the app settings first
/// (<c>ResolveWholeString</c>; an unresolved token is an error), then an NCRONTAB expression (with
/// a seconds field unless it has exactly 5 fields), else a TimeSpan (a constant interval).
/// Occurrences are in the host's local time zone, as the extension's are.
/// </summary>
public abstract class TimerSchedule
{
    /// <summary>What TimerInfo.Schedule serializes to (the extension's TimerSchedule.AdjustForDST).</summary>
    public abstract bool AdjustForDst { get; }

    /// <summary>The first occurrence after <paramref name="now"/> (local time).</summary>
    public abstract DateTime GetNextOccurrence(DateTime now);

    /// <summary>
    /// Whether the extension turns schedule monitoring off for it (TimerSchedule.ShouldDisableScheduleMonitor):
    /// a cron schedule whose minute-and-up fields are all <c>*</c> with more than one occurrence in
    /// the next minute, or a constant interval under a minute.
    /// </summary>
    public abstract bool IsSubMinute { get; }

    /// <summary>
    /// Resolves and parses <paramref name="expression"/>; <paramref name="setting"/> looks an app
    /// setting up by name. Throws <see cref="FormatException"/> with the host's own wording when
    /// a token does not resolve or the result is neither NCRONTAB nor a TimeSpan.
    /// </summary>
    public static TimerSchedule Parse(string expression, Func<string, string?> setting)
    {
        var resolved = ResolveWholeString(expression, setting);
        var fields = resolved.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var cron = CrontabSchedule.TryParse(resolved, new CrontabSchedule.ParseOptions { IncludingSeconds = fields != 5 });
        if (cron is not null)
        {
            return new CronTimerSchedule(cron, resolved);
        }

        if (TimeSpan.TryParse(resolved, CultureInfo.InvariantCulture, out var period) && period > TimeSpan.Zero)
        {
            return new ConstantTimerSchedule(period);
        }

        throw new FormatException($"The schedule expression '{resolved}' was not recognized as a valid cron expression or timespan string.");
    }

    /// <summary>Every <c>%name%</c> replaced by the app setting of that name (webjobs NameResolverExtensions.ResolveWholeString).</summary>
    public static string ResolveWholeString(string text, Func<string, string?> setting)
    {
        var result = new System.Text.StringBuilder();
        var position = 0;
        while (position < text.Length)
        {
            var start = text.IndexOf('%', position);
            var end = start < 0 ? -1 : text.IndexOf('%', start + 1);
            if (end < 0)
            {
                result.Append(text, position, text.Length - position);
                break;
            }

            result.Append(text, position, start - position);
            var name = text[(start + 1)..end];
            result.Append(setting(name) ?? throw new FormatException($"'%{name}%' does not resolve to a value."));
            position = end + 1;
        }

        return result.ToString();
    }

    private sealed class CronTimerSchedule(CrontabSchedule cron, string expression) : TimerSchedule
    {
        public override bool AdjustForDst => true;

        public override bool IsSubMinute
        {
            get
            {
                var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var now = DateTime.Now;
                return fields.Skip(1).All(part => part == "*") && cron.GetNextOccurrences(now, now.AddMinutes(1)).Skip(1).Any();
            }
        }

        public override DateTime GetNextOccurrence(DateTime now) => cron.GetNextOccurrence(now);

        public override string ToString() => $"Cron: '{cron}'";
    }

    private sealed class ConstantTimerSchedule(TimeSpan period) : TimerSchedule
    {
        public override bool AdjustForDst => false;

        public override bool IsSubMinute => period < TimeSpan.FromMinutes(1);

        public override DateTime GetNextOccurrence(DateTime now) => now + period;

        public override string ToString() => $"Constant: {period}";
    }
}

/// <summary>
/// Runs the timer-triggered functions as the WebJobs timer listener does (Timers/Listener/TimerListener.cs):
/// <c>RunOnStartup</c> invokes once when the host starts; then each occurrence is invoked when it
/// is due, the next one computed from the time the invocation ended (an invocation that outlasts
/// occurrences does not queue them); a failed invocation is logged and the schedule goes on. The
/// worker receives the extension's TimerInfo as JSON (<c>Schedule</c>, <c>ScheduleStatus</c> —
/// only when the schedule is monitored: <c>UseMonitor</c>, and not more often than once a minute —
/// and <c>IsPastDue</c>) and the binding data <c>TimerTrigger</c>.
/// Not reproduced: the schedule monitor's persistence across restarts (the Functions host keeps it
/// in blob storage), so <c>IsPastDue</c> is always false here; and the singleton lock that runs a
/// timer on one instance at a time: every local host fires its own timers.
/// </summary>
internal sealed class TimerTriggers(WorkerChannel channel, Action<LogLevel, string> log) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];

    /// <summary>The timer function of <paramref name="metadata"/>, or null when its trigger is not a timer; throws <see cref="FormatException"/> for a bad schedule.</summary>
    public static TimerFunctionInfo? GetTimerFunction(RpcFunctionMetadata metadata, Func<string, string?> setting)
    {
        foreach (var raw in metadata.RawBindings)
        {
            var binding = JsonNode.Parse(raw)?.AsObject();
            if (!string.Equals(binding?["type"]?.GetValue<string>(), "timerTrigger", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var expression = binding!["schedule"]?.GetValue<string>() ?? string.Empty;
            var schedule = TimerSchedule.Parse(expression, setting);
            return new TimerFunctionInfo(
                metadata.Name,
                metadata.FunctionId,
                binding["name"]?.GetValue<string>() ?? "timer",
                expression,
                schedule,
                Flag(binding, "runOnStartup") ?? false,
                (Flag(binding, "useMonitor") ?? true) && !schedule.IsSubMinute);
        }

        return null;
    }

    public void Start(IEnumerable<TimerFunctionInfo> functions)
    {
        foreach (var function in functions)
        {
            log(LogLevel.Information, $"The next 5 occurrences of the '{function.Name}' schedule ({function.Schedule}) will be: {string.Join(", ", NextOccurrences(function.Schedule, DateTime.Now, 5).Select(o => o.ToString("o", CultureInfo.InvariantCulture)))}");
            _loops.Add(Task.Run(() => RunAsync(function, _stopping.Token)));
        }
    }

    private async Task RunAsync(TimerFunctionInfo function, CancellationToken stopping)
    {
        var status = new ScheduleStatus(default, function.Schedule.GetNextOccurrence(DateTime.Now), default);
        try
        {
            if (function.RunOnStartup)
            {
                log(LogLevel.Information, $"Function '{function.Name}' is configured to run on startup. Executing now.");
                var invokedAt = DateTime.Now;
                await InvokeAsync(function, status, stopping).ConfigureAwait(false);
                status = new ScheduleStatus(invokedAt, function.Schedule.GetNextOccurrence(invokedAt), invokedAt);
            }

            while (!stopping.IsCancellationRequested)
            {
                var wait = status.Next - DateTime.Now;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stopping).ConfigureAwait(false);
                }

                var invocationTime = DateTime.Now;
                await InvokeAsync(function, status, stopping).ConfigureAwait(false);

                // A timer that fires a little early counts as the occurrence it was set for.
                var adjusted = status.Next > invocationTime ? status.Next : invocationTime;
                status = new ScheduleStatus(adjusted, function.Schedule.GetNextOccurrence(adjusted), adjusted);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task InvokeAsync(TimerFunctionInfo function, ScheduleStatus status, CancellationToken stopping)
    {
        var started = Stopwatch.GetTimestamp();
        var invocation = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = function.FunctionId,
            TraceContext = new RpcTraceContext
            {
                TraceParent = $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00",
            },
        };
        invocation.InputData.Add(new ParameterBinding { Name = function.TriggerBindingName, Data = new TypedData { Json = TimerInfoJson(function, status, isPastDue: false) } });
        invocation.TriggerMetadata["TimerTrigger"] = new TypedData { String = DateTime.Now.ToString(CultureInfo.CurrentCulture) };

        string outcome;
        try
        {
            var response = await channel.InvokeAsync(invocation, stopping).ConfigureAwait(false);
            outcome = response.Result?.Status == StatusResult.Types.Status.Success
                ? "Succeeded"
                : $"Failed{Environment.NewLine}{response.Result?.Exception?.Message}{Environment.NewLine}{response.Result?.Exception?.StackTrace}";
        }
        catch (WorkerUnavailableException e)
        {
            outcome = "Failed" + Environment.NewLine + e.Message;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var level = outcome == "Succeeded" ? LogLevel.Information : LogLevel.Error;
        log(level, $"Executed 'Functions.{function.Name}' ({outcome.Split(Environment.NewLine)[0]}, Id={invocation.InvocationId}, Duration={elapsed.TotalMilliseconds:0}ms){(level == LogLevel.Error ? Environment.NewLine + outcome : string.Empty)}");
    }

    /// <summary>The extension's TimerInfo as the host serializes it for an out-of-process worker.</summary>
    internal static string TimerInfoJson(TimerFunctionInfo function, ScheduleStatus status, bool isPastDue)
    {
        var json = new JsonObject
        {
            ["Schedule"] = new JsonObject { ["AdjustForDST"] = function.Schedule.AdjustForDst },
            ["ScheduleStatus"] = function.UseMonitor
                ? new JsonObject
                {
                    ["Last"] = Local(status.Last),
                    ["Next"] = Local(status.Next),
                    ["LastUpdated"] = Local(status.LastUpdated),
                }
                : null,
            ["IsPastDue"] = isPastDue,
        };
        return json.ToJsonString();

        static string Local(DateTime time) => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Unspecified), TimeZoneInfo.Local.GetUtcOffset(time)).ToString("o", CultureInfo.InvariantCulture);
    }

    private static IEnumerable<DateTime> NextOccurrences(TimerSchedule schedule, DateTime now, int count)
    {
        for (var i = 0; i < count; i++)
        {
            now = schedule.GetNextOccurrence(now);
            yield return now;
        }
    }

    private static bool? Flag(JsonObject binding, string name) => binding[name] switch
    {
        JsonValue value when value.TryGetValue<bool>(out var flag) => flag,
        JsonValue value when value.TryGetValue<string>(out var text) && bool.TryParse(text, out var parsed) => parsed,
        _ => null,
    };

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
        _stopping.Dispose();
    }
}

/// <summary>The extension's ScheduleStatus: the last occurrence run, the next expected, when it was recorded (local times).</summary>
internal readonly record struct ScheduleStatus(DateTime Last, DateTime Next, DateTime LastUpdated);
