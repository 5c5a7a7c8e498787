using System.Globalization;
using FaceCraft4D.Contracts;
using Spectre.Console;

namespace FaceCraft4D.LocalHost.Cli;

/// <summary>
/// The finished run's stage table with timing: per stage its wall time, stage work at the worker, the time outside
/// stage work (dispatch, polls, hand-offs, waits for a slot), the longest queue wait and the peak memory of the worker and
/// host processes; then the whole run, with the machine's load average (the machine may be shared).
/// </summary>
public sealed class RunTimingView(IAnsiConsole console)
{
    /// <summary>Writes the table for a completed run's output.</summary>
    public void Write(RunOutput output)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]stage timing[/] (s, MiB)")
            .AddColumns("Stage", "Wall", "Work", "Overhead", "Queue", "Worker RSS", "Host RSS");
        foreach (var stage in output.Stages)
        {
            if (stage.Timing is { } t)
            {
                table.AddRow(Row(Markup.Escape(stage.Name), t));
            }
        }

        if (output.Timing is { } run)
        {
            table.AddRow(Row("[bold]run[/]", run));
        }

        console.Write(table);
        if (output.Timing is { } r)
        {
            console.MarkupLineInterpolated(
                $"run {r.WallSeconds:F1} s: stage work {r.WorkSeconds:F1} s, outside stage work {r.OverheadSeconds:F2} s ({100 * r.OverheadShare:F1}%); peak RSS worker {Mib(r.WorkerPeakRssMiB)} MiB, host {Mib(r.HostPeakRssMiB)} MiB; load average {MachineLoad.Average()}");
        }
    }

    private static string[] Row(string name, StageTiming t) =>
    [
        name, F(t.WallSeconds), F(t.WorkSeconds), F(t.OverheadSeconds), F(t.QueueSeconds), Mib(t.WorkerPeakRssMiB), Mib(t.HostPeakRssMiB),
    ];

    private static string F(double seconds) => seconds.ToString("F2", CultureInfo.InvariantCulture);

    private static string Mib(double? mib) => mib is { } v ? v.ToString("F0", CultureInfo.InvariantCulture) : "-";
}
