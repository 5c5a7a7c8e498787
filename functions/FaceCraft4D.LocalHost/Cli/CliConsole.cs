using Spectre.Console;

namespace FaceCraft4D.LocalHost.Cli;

/// <summary>
/// The CLI's console: Spectre's default, except that redirected output (logs, CI, <c>| tee</c>) is not wrapped at the
/// 80 columns Spectre assumes when it cannot see a terminal, so each progress line stays one line.
/// </summary>
public static class CliConsole
{
    /// <summary>Width used when the output is not a terminal.</summary>
    public const int RedirectedWidth = 400;

    /// <summary>Creates the console for one CLI command.</summary>
    public static IAnsiConsole Create()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}
