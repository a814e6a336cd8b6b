using System.Text;

namespace JwtFunctions.AdminTool;

/// <summary>
/// Where a new password comes from: the first line of stdin when stdin is redirected (a pipe or a
/// file: <c>printf '%s\n' "$PASSWORD" | ...</c>), else a prompt on the terminal that shows nothing
/// as it is typed and asks twice. Never a command-line argument (it would stay in the shell
/// history and be visible to every user in the process list). The password is never written anywhere.
/// </summary>
public static class PasswordInput
{
    /// <summary>The password, or <c>null</c> with the reason already written to stderr.</summary>
    public static async Task<string?> ReadAsync(string username, CancellationToken cancellationToken)
    {
        if (Console.IsInputRedirected)
        {
            var line = await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(line))
            {
                Console.Error.WriteLine("No password on stdin: give it as the first line of the input.");
                return null;
            }

            return line;
        }

        var first = Prompt($"New password for {username}: ");
        var second = Prompt("Again: ");
        if (!string.Equals(first, second, StringComparison.Ordinal))
        {
            Console.Error.WriteLine("The two passwords differ; nothing was changed.");
            return null;
        }

        return first;
    }

    /// <summary>Reads one line from the terminal without echo (backspace edits; the prompt goes to stderr).</summary>
    private static string Prompt(string prompt)
    {
        Console.Error.Write(prompt);
        var typed = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return typed.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (typed.Length > 0)
                {
                    typed.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                typed.Append(key.KeyChar);
            }
        }
    }
}
