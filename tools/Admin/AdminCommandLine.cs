using System.CommandLine;

namespace JwtFunctions.AdminTool;

/// <summary>
/// The commands and options (System.CommandLine, as tools/FunctionsHost). A parse error prints the
/// parser's message, or for an unexpected argument a message that does not repeat it (it may be a
/// password typed in the wrong place), and exits with <see cref="ExitCodes.Usage"/>.
/// </summary>
public static class AdminCommandLine
{
    public static readonly Option<string> ConnectionString = new("--connection-string")
    {
        Description = "storage connection string (Azurite: UseDevelopmentStorage=true); default: the AzureWebJobsStorage environment variable",
        Recursive = true,
    };

    public static readonly Option<string> TableEndpoint = new("--table-endpoint")
    {
        Description = "https://<account>.table.core.windows.net, reached with your Azure sign-in (az login / azd auth login); default: AzureWebJobsStorage__tableServiceUri",
        Recursive = true,
    };

    public static readonly Option<string> Actor = new("--actor")
    {
        Description = "who acts, as recorded in the audit events (cli:<actor>); default: the operating-system user",
        Recursive = true,
    };

    /// <summary>Exists only to refuse a password given as an argument with a message that explains why.</summary>
    public static readonly Option<string> Password = new("--password")
    {
        Hidden = true,
        Recursive = true,
    };

    public static readonly Option<string> Username = new("--username", "-u") { Description = "the user's name", Required = true };

    public static readonly Option<string[]> Roles = new("--role")
    {
        Description = "a role (repeat for several), e.g. admin",
        AllowMultipleArgumentsPerToken = false,
    };

    public static readonly Option<string> Scope = new("--scope") { Description = "space-separated scopes" };

    public static readonly Option<bool> NoRoles = new("--no-roles") { Description = "take every role away (set-roles without --role)" };

    public const string PasswordRefusal =
        "Passwords are never taken as arguments (shell history, process list): pipe it on stdin or type it at the prompt.";

    static AdminCommandLine()
    {
        Password.Validators.Add(result => result.AddError(PasswordRefusal));
        Actor.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } actor && !UserCommands.IsValidActor(actor))
            {
                result.AddError("--actor must be 1-64 characters of letters, digits and . _ @ -.");
            }
        });
    }

    public static RootCommand Create()
    {
        var create = new Command("create", "create a user; the password is read from stdin when redirected, else prompted for without echo")
        {
            Username, Roles, Scope,
        };
        create.SetAction((parsed, cancellationToken) => UserCommands.RunAsync(parsed, UserCommands.CreateAsync, cancellationToken));

        var list = new Command("list", "list every user: name, roles, scope, state (enabled, disabled, locked until ...)");
        list.SetAction((parsed, cancellationToken) => UserCommands.RunAsync(parsed, UserCommands.ListAsync, cancellationToken));

        var setRoles = new Command("set-roles", "replace a user's roles; taking a role away ends the user's tokens") { Username, Roles, NoRoles };
        setRoles.Validators.Add(result =>
        {
            var roles = result.GetValue(Roles) ?? [];
            var none = result.GetValue(NoRoles);
            if (roles.Length == 0 && !none)
            {
                result.AddError("Give --role at least once, or --no-roles to take every role away.");
            }
            else if (roles.Length > 0 && none)
            {
                result.AddError("Give --role or --no-roles, not both.");
            }
        });
        setRoles.SetAction((parsed, cancellationToken) => UserCommands.RunAsync(parsed, UserCommands.SetRolesAsync, cancellationToken));

        var disable = new Command("disable", "disable a user: no login, no refresh, every token revoked") { Username };
        disable.SetAction((parsed, cancellationToken) => UserCommands.RunAsync(parsed, UserCommands.DisableAsync, cancellationToken));

        var enable = new Command("enable", "enable a disabled user") { Username };
        enable.SetAction((parsed, cancellationToken) => UserCommands.RunAsync(parsed, UserCommands.EnableAsync, cancellationToken));

        var unlock = new Command("unlock", "end a user's lock-out after failed logins") { Username };
        unlock.SetAction((parsed, cancellationToken) => UserCommands.RunAsync(parsed, UserCommands.UnlockAsync, cancellationToken));

        var resetPassword = new Command("reset-password", "set a new password (stdin or prompt) and end every token of the user") { Username };
        resetPassword.SetAction((parsed, cancellationToken) => UserCommands.RunAsync(parsed, UserCommands.ResetPasswordAsync, cancellationToken));

        var users = new Command("users", "manage the app's users") { create, list, setRoles, disable, enable, unlock, resetPassword };
        return new RootCommand($"""
            JwtFunctions administration: the app's users in its Table Storage, changed through the app's own
            user administration (the same stores, hashing and rules).

            {ExitCodes.HelpText}
            """)
        {
            users, ConnectionString, TableEndpoint, Actor, Password,
        };
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var parsed = Create().Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors.Where(e => !parsed.UnmatchedTokens.Any(t => e.Message.Contains(t, StringComparison.Ordinal))))
            {
                Console.Error.WriteLine(error.Message);
            }

            if (parsed.UnmatchedTokens.Count > 0)
            {
                // Not repeated: a password typed as an argument must not reach the terminal log.
                Console.Error.WriteLine($"Unexpected argument(s) (not shown). {PasswordRefusal}");
            }

            Console.Error.WriteLine("Try --help.");
            return ExitCodes.Usage;
        }

        // The chosen command's action, or --help.
        return await parsed.InvokeAsync().ConfigureAwait(false);
    }
}
