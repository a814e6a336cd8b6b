using JwtFunctions.FunctionsHost;

namespace JwtFunctions.EndToEnd.Tests.HostFidelity;

/// <summary>
/// What the TimerInfo a worker receives says about a schedule, after azure-webjobs-sdk-extensions
/// (2e7550f7) Timers/Scheduling: <c>AdjustForDST</c> (true for cron, false for a TimeSpan) and
/// whether the schedule is monitored (<c>ShouldDisableScheduleMonitor</c>: off for cron schedules
/// firing more than once a minute with every minute-and-up field <c>*</c>, and for intervals under a
/// minute). How expressions are read is in the fidelity table (rows <c>timer-*</c>).
/// </summary>
public sealed class TimerScheduleTests
{
    private static string? NoSettings(string name) => null;

    [Theory]
    [InlineData("*/15 * * * * *", true, true)]
    [InlineData("0 * * * * *", true, false)]
    [InlineData("*/15 5 * * * *", true, false)]
    [InlineData("*/5 * * * *", true, false)]
    [InlineData("00:00:30", false, true)]
    [InlineData("00:05:00", false, false)]
    public void AScheduleSaysWhetherItAdjustsForDstAndWhetherItIsMonitored(string expression, bool adjustsForDst, bool subMinute)
    {
        var schedule = TimerSchedule.Parse(expression, NoSettings);
        Assert.Equal(adjustsForDst, schedule.AdjustForDst);
        Assert.Equal(subMinute, schedule.IsSubMinute);
    }
}
