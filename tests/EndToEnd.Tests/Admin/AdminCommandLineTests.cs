using JwtFunctions.AdminTool;

namespace JwtFunctions.EndToEnd.Tests.Admin;

/// <summary>Usage errors: exit 2 with the reason, before any storage is touched, and never a password repeated.</summary>
public sealed class AdminCommandLineTests(ITestOutputHelper output)
{
    private const string Secret = "S3cret-typed-on-the-command-line";

    // Nothing listens here: a command that got as far as storage would fail with 1, not 2.
    private static readonly string Unreachable = Azurite.ConnectionStringFor(FreePort.Next());

    private async Task<ToolRun> RunAsync(params string[] arguments)
    {
        var run = await AdminTool.RunAsync(arguments, "correct horse battery staple\n");
        output.WriteLine(run.ToString());
        return run;
    }

    [Theory]
    [InlineData("--password", Secret)]
    [InlineData("--password=" + Secret)]
    public async Task PasswordGivenAsAnOptionIsRefusedWithoutRepeatingIt(params string[] password)
    {
        var run = await RunAsync(["users", "create", "--username", "someone", "--role", "admin", "--connection-string", Unreachable, .. password]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("Passwords are never taken as arguments", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, run.Out + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordGivenAsAnExtraArgumentIsRefusedWithoutRepeatingIt()
    {
        var run = await RunAsync("users", "reset-password", "--username", "someone", Secret, "--connection-string", Unreachable);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("Unexpected argument(s) (not shown)", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, run.Out + run.Error, StringComparison.Ordinal);
    }

    public static TheoryData<string[], string> BadArguments => new()
    {
        { ["users", "create", "--role", "admin", "--connection-string", "UseDevelopmentStorage=true"], "--username" },
        { ["users", "frobnicate", "--username", "someone"], "Unexpected argument(s)" },
        { ["users"], "Required command was not provided" },
        { ["users", "set-roles", "--username", "someone", "--connection-string", "UseDevelopmentStorage=true"], "--no-roles" },
        { ["users", "set-roles", "--username", "someone", "--role", "admin", "--no-roles", "--connection-string", "UseDevelopmentStorage=true"], "not both" },
        { ["users", "list", "--actor", "has spaces"], "--actor must be" },
        { ["users", "list"], "Say where the users are" },
        { ["users", "list", "--connection-string", "UseDevelopmentStorage=true", "--table-endpoint", "https://st.table.core.windows.net"], "not both" },
        { ["users", "list", "--table-endpoint", "http://st.table.core.windows.net"], "must be an https:// URI" },
        { ["users", "list", "--connection-string", "not a connection string"], "The storage connection string is not valid" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public async Task BadArgumentsExitWith2AndSayWhy(string[] arguments, string reason)
    {
        var run = await RunAsync(arguments);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(reason, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--username", "x", "--role", "admin")]
    [InlineData("--username", "someone", "--role", "has space")]
    [InlineData("--username", "someone", "--scope", "bad\"scope")]
    public async Task NamesTheServiceRefusesExitWith2BeforeStorageIsReached(params string[] arguments)
    {
        var run = await RunAsync(["users", "create", .. arguments, "--connection-string", Unreachable]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("is not valid", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpListsTheCommandsAndTheExitCodes()
    {
        var run = await RunAsync("users", "--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var command in new[] { "create", "list", "set-roles", "disable", "enable", "unlock", "reset-password" })
        {
            Assert.Contains(command, run.Out, StringComparison.Ordinal);
        }

        var root = await RunAsync("--help");
        Assert.Contains("6 password refused", root.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("--password", root.Out, StringComparison.Ordinal);
    }
}
