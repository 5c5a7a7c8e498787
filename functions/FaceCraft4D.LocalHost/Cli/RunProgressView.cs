using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace FaceCraft4D.LocalHost.Cli;

/// <summary>Renders a run's per-stage progress: a live table on a terminal, changed lines otherwise.</summary>
public sealed class RunProgressView(IAnsiConsole console)
{
    private readonly Dictionary<string, string> printed = [];

    /// <summary>True when the console can redraw (a terminal), false for logs and pipes.</summary>
    public bool Interactive => console.Profile.Capabilities.Interactive;

    /// <summary>The table of any job with per-stage progress (a run, a video animation job).</summary>
    public static IRenderable Table(string title, string runtimeStatus, RunProgress? progress)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"[bold]{Markup.Escape(title)}[/] {Markup.Escape(runtimeStatus)}")
            .AddColumns("Stage", "State", "Done", "Reused", "Attempts", "Backend", "Detail");
        foreach (var stage in progress?.Stages ?? [])
        {
            table.AddRow(
                Markup.Escape(stage.Name),
                StateMarkup(stage.State),
                $"{stage.Done}/{stage.Total}",
                stage.Reused.ToString(System.Globalization.CultureInfo.InvariantCulture),
                stage.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(stage.Backend ?? string.Empty),
                Markup.Escape(Shorten(stage.Detail ?? string.Empty, 70)));
        }

        return table;
    }

    /// <summary>Prints the stages whose line changed since the last call (non-interactive output).</summary>
    public void PrintChanges(RunProgress? progress)
    {
        foreach (var stage in progress?.Stages ?? [])
        {
            var line = $"{stage.State.ToString().ToLowerInvariant()} {stage.Done}/{stage.Total} reused={stage.Reused} attempts={stage.Attempts}"
                       + (stage.Backend is null ? string.Empty : $" backend={stage.Backend}")
                       + (stage.Detail is null ? string.Empty : $" {stage.Detail}");
            if (!printed.TryGetValue(stage.Name, out var last) || last != line)
            {
                printed[stage.Name] = line;
                console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {stage.Name,-18} {line}");
            }
        }
    }

    private static string StateMarkup(StageState state) => state switch
    {
        StageState.Completed => "[green]completed[/]",
        StageState.Running => "[yellow]running[/]",
        StageState.Failed => "[red]failed[/]",
        _ => "[grey]pending[/]",
    };

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
