using System.Globalization;
using FaceCraft4D.Contracts;

namespace FaceCraft4D.Testing;

/// <summary>
/// A finished run's stage timings as text lines for a test's output (wall, worker work, overhead per stage), so a test log
/// shows where an integration test's time went.
/// </summary>
public static class StageTimingLines
{
    /// <summary>One line per stage with its timing (stages without one say so), then the sum of the stage wall times.</summary>
    public static IReadOnlyList<string> Of(RunProgress? progress)
    {
        if (progress is null)
        {
            return ["no stage progress"];
        }

        var lines = progress.Stages.Select(s => s.Timing is { } t
            ? string.Create(CultureInfo.InvariantCulture, $"{s.Name,-18} wall {t.WallSeconds,6:F1} s  work {t.WorkSeconds,6:F1} s  overhead {t.OverheadSeconds,5:F1} s  items {s.Done}/{s.Total}")
            : $"{s.Name,-18} no timing ({s.State})").ToList();
        var wall = progress.Stages.Sum(s => s.Timing?.WallSeconds ?? 0);
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"{"stages' wall sum",-18} {wall,6:F1} s"));
        return lines;
    }
}
