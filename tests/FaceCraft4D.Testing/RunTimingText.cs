using FaceCraft4D.Contracts;
using FaceCraft4D.LocalHost.Cli;
using Spectre.Console;

namespace FaceCraft4D.Testing;

/// <summary>
/// A finished run's stage timing table as plain text for a test's output: the same table the CLI prints after a run
/// (<see cref="RunTimingView"/>), so a test log shows where an integration test's time went.
/// </summary>
public static class RunTimingText
{
    /// <summary>The table and the run's summary line, without colours or ANSI codes.</summary>
    public static string Of(RunOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(text),
        });
        console.Profile.Width = 120;
        new RunTimingView(console).Write(output);
        return text.ToString();
    }
}
