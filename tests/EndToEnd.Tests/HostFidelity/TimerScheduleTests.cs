using JwtFunctions.FunctionsHost;

namespace JwtFunctions.EndToEnd.Tests.HostFidelity;

/// <summary>
/// Timer schedules as azure-webjobs-sdk-extensions (2e7550f7) reads them: Timers/Scheduling/TimerSchedule.cs
/// <c>Create</c> and CronSchedule.cs (NCrontab, seconds unless exactly 5 fields, else a TimeSpan),
/// <c>%name%</c> resolved from the app settings first (webjobs <c>ResolveWholeString</c>).
/// </summary>
public sealed class TimerScheduleTests
{
    private static readonly DateTime Start = new(2026, 12, 1, 16, 0, 0);

    private static string? NoSettings(string name) => null;

    [Fact]
    public void SixFieldsStartWithSeconds()
    {
        var schedule = TimerSchedule.Parse("*/15 * * * * *", NoSettings);
        Assert.Equal(Start.AddSeconds(15), schedule.GetNextOccurrence(Start));
        Assert.True(schedule.IsSubMinute);
    }

    [Fact]
    public void FiveFieldsStartWithMinutes()
    {
        var schedule = TimerSchedule.Parse("*/5 * * * *", NoSettings);
        Assert.Equal(Start.AddMinutes(5), schedule.GetNextOccurrence(Start));
        Assert.False(schedule.IsSubMinute);
    }

    [Fact]
    public void ATimeSpanIsAConstantInterval()
    {
        var schedule = TimerSchedule.Parse("00:00:30", NoSettings);
        Assert.Equal(Start.AddSeconds(30), schedule.GetNextOccurrence(Start));
        Assert.False(schedule.AdjustForDst);
        Assert.True(schedule.IsSubMinute);
    }

    [Fact]
    public void ASettingTokenIsReplacedByTheSettingsValue()
    {
        var schedule = TimerSchedule.Parse("%Cleanup:Schedule%", name => name == "Cleanup:Schedule" ? "0 */10 * * * *" : null);
        Assert.Equal(Start.AddMinutes(10), schedule.GetNextOccurrence(Start));
        Assert.True(schedule.AdjustForDst);
        Assert.False(schedule.IsSubMinute);
    }

    [Fact]
    public void AnUnresolvedTokenIsAnErrorInTheHostsWords()
    {
        var error = Assert.Throws<FormatException>(() => TimerSchedule.Parse("%Missing%", NoSettings));
        Assert.Equal("'%Missing%' does not resolve to a value.", error.Message);
    }

    [Fact]
    public void AnExpressionThatIsNeitherCronNorATimeSpanIsAnErrorInTheHostsWords()
    {
        var error = Assert.Throws<FormatException>(() => TimerSchedule.Parse("every ten minutes", NoSettings));
        Assert.Equal("The schedule expression 'every ten minutes' was not recognized as a valid cron expression or timespan string.", error.Message);
    }
}
