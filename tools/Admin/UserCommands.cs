using System.CommandLine;
using JwtFunctions.Admin;

namespace JwtFunctions.AdminTool;

/// <summary>
/// What each command does, through the app's <see cref="UserAdministration"/>. Results go to
/// stdout, messages and audit events to stderr; every expected failure is one fixed message and
/// its exit code (<see cref="ExitCodes"/>), never a stack trace.
/// </summary>
public static class UserCommands
{
    /// <summary>The actor of the audit events: <c>cli:</c> and <c>--actor</c>, else the operating-system user.</summary>
    public static bool IsValidActor(string actor) =>
        actor.Length is >= 1 and <= 64 && actor.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '@' or '-');

    public static async Task<int> RunAsync(ParseResult parsed, Func<Invocation, Task<int>> command, CancellationToken cancellationToken)
    {
        var actor = parsed.GetValue(AdminCommandLine.Actor) ?? Environment.UserName;
        if (!IsValidActor(actor))
        {
            Console.Error.WriteLine("The operating-system user name cannot name the actor in the audit events; give --actor.");
            return ExitCodes.Usage;
        }

        await using var target = StorageTarget.Open(parsed.GetValue(AdminCommandLine.ConnectionString), parsed.GetValue(AdminCommandLine.TableEndpoint));
        if (target is null)
        {
            return ExitCodes.Usage;
        }

        try
        {
            return await command(new Invocation(parsed, target.Users, "cli:" + actor, cancellationToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("Cancelled.");
            return 130;
        }
        catch (Exception e) when (target.Describe(e) is { } failure)
        {
            Console.Error.WriteLine(failure.Message);
            return failure.Code;
        }
    }

    public static async Task<int> CreateAsync(Invocation call)
    {
        var username = call.Parsed.GetValue(AdminCommandLine.Username)!;
        var password = await PasswordInput.ReadAsync(username, call.CancellationToken).ConfigureAwait(false);
        if (password is null)
        {
            return ExitCodes.PasswordRefused;
        }

        var roles = call.Parsed.GetValue(AdminCommandLine.Roles) ?? [];
        var result = await call.Users.CreateAsync(call.Actor, username, password, roles, call.Parsed.GetValue(AdminCommandLine.Scope), call.CancellationToken).ConfigureAwait(false);
        return Report(result, username, $"Created user '{username}' with roles [{string.Join(' ', roles.Order(StringComparer.Ordinal))}].");
    }

    /// <summary>Every user, one per line, tab-separated: name, roles (comma-separated), scope, state.</summary>
    public static async Task<int> ListAsync(Invocation call)
    {
        string? continuation = null;
        var header = "USERNAME\tROLES\tSCOPE\tSTATE";
        do
        {
            var (page, result) = await call.Users.ListAsync(UserAdministration.MaxPageSize, continuation, call.CancellationToken).ConfigureAwait(false);
            if (page is null)
            {
                return Report(result, null, string.Empty);
            }

            if (header is not null)
            {
                Console.Out.WriteLine(header);
                header = null;
            }

            foreach (var user in page.Users)
            {
                var state = user.Disabled ? "disabled" : "enabled";
                if (user.LockedUntil is { } until)
                {
                    state += $", locked until {until:yyyy-MM-ddTHH:mm:ssZ}";
                }

                Console.Out.WriteLine($"{user.Username}\t{string.Join(',', user.Roles)}\t{user.Scope}\t{state}");
            }

            continuation = page.Continuation;
        }
        while (continuation is not null);
        return ExitCodes.Done;
    }

    public static async Task<int> SetRolesAsync(Invocation call)
    {
        var username = call.Parsed.GetValue(AdminCommandLine.Username)!;
        var roles = call.Parsed.GetValue(AdminCommandLine.Roles) ?? [];
        var result = await call.Users.SetRolesAsync(call.Actor, username, roles, call.CancellationToken).ConfigureAwait(false);
        return Report(result, username, $"User '{username}' now has roles [{string.Join(' ', roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))}].");
    }

    public static async Task<int> DisableAsync(Invocation call)
    {
        var username = call.Parsed.GetValue(AdminCommandLine.Username)!;
        return Report(await call.Users.DisableAsync(call.Actor, username, call.CancellationToken).ConfigureAwait(false), username, $"Disabled user '{username}'; its tokens are revoked.");
    }

    public static async Task<int> EnableAsync(Invocation call)
    {
        var username = call.Parsed.GetValue(AdminCommandLine.Username)!;
        return Report(await call.Users.EnableAsync(call.Actor, username, call.CancellationToken).ConfigureAwait(false), username, $"Enabled user '{username}'.");
    }

    public static async Task<int> UnlockAsync(Invocation call)
    {
        var username = call.Parsed.GetValue(AdminCommandLine.Username)!;
        return Report(await call.Users.UnlockAsync(call.Actor, username, call.CancellationToken).ConfigureAwait(false), username, $"Unlocked user '{username}'.");
    }

    public static async Task<int> ResetPasswordAsync(Invocation call)
    {
        var username = call.Parsed.GetValue(AdminCommandLine.Username)!;
        var password = await PasswordInput.ReadAsync(username, call.CancellationToken).ConfigureAwait(false);
        if (password is null)
        {
            return ExitCodes.PasswordRefused;
        }

        var result = await call.Users.ResetPasswordAsync(call.Actor, username, password, call.CancellationToken).ConfigureAwait(false);
        return Report(result, username, $"Set a new password for '{username}'; its tokens are revoked.");
    }

    private static int Report(AdminResult result, string? username, string done)
    {
        if (result == AdminResult.Done)
        {
            Console.Out.WriteLine(done);
            return ExitCodes.Done;
        }

        var (code, message) = ExitCodes.Describe(result, username);
        Console.Error.WriteLine(message);
        return code;
    }
}

/// <summary>One command's inputs: the parsed line, the service, the actor of its audit events.</summary>
public sealed record Invocation(ParseResult Parsed, UserAdministration Users, string Actor, CancellationToken CancellationToken);
