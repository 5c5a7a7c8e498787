using System.Globalization;
using System.Text;
using FaceCraft4D.Metrics.Protocol;

namespace FaceCraft4D.Metrics.Reports;

/// <summary>
/// The plain-text table <c>fc4d eval</c> prints: per image its status, reference-view PSNR/SSIM, whether a face was
/// detected in the static renders at yaw 0, +30, −30, +60, −60 (<c>Y</c> found, <c>n</c> not found, <c>-</c> not
/// tested or view absent), the ID similarity per such view for both recognition models (face-api.js and faceres, one
/// slash-separated column each, two decimals), the reference view's ID for both, and the run's wall time and stage work
/// time (<see cref="EvaluationRunTime"/>). Invariant culture, columns padded with spaces, one line per image after a
/// header and a rule.
/// </summary>
public sealed class EvaluationTableFormatter
{
    /// <summary>Yaws (degrees) of the per-view columns, in column order.</summary>
    public IReadOnlyList<double> Yaws { get; init; } = [0, 30, -30, 60, -60];

    /// <summary>Formats <paramref name="report"/>; <paramref name="runTimes"/> maps run id → its times (missing: <c>-</c>).</summary>
    public string Format(EvaluationReport report, IReadOnlyDictionary<string, EvaluationRunTime>? runTimes = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var yaws = string.Join('/', Yaws.Select(Yaw));
        var header = new List<string>
        {
            "image", "status", "PSNR dB", "SSIM", "face " + yaws, "ID face-api " + yaws, "ID faceres " + yaws, "ID ref fa/fr", "wall", "work",
        };
        var rows = new List<IReadOnlyList<string>> { header };
        foreach (var e in report.Entries)
        {
            var views = e.Views ?? [];
            var reference = views.FirstOrDefault(v => v.Kind == ViewKind.Reference);
            var perYaw = Yaws.Select(y => views.FirstOrDefault(v => v.Kind == ViewKind.Static && Math.Abs(v.YawDegrees - y) < 0.5 && Math.Abs(v.PitchDegrees) < 0.5)).ToList();
            var time = runTimes is not null && runTimes.TryGetValue(e.RunId, out var t) ? t : null;
            rows.Add(
            [
                e.ImageName,
                e.Status.ToString().ToLowerInvariant(),
                Number(reference?.Psnr, "F2"),
                Number(reference?.Ssim, "F4"),
                string.Concat(perYaw.Select(v => v?.FaceDetected switch { true => "Y", false => "n", null => "-" })),
                string.Join('/', perYaw.Select(v => Number(v?.IdSimilarity, "F2"))),
                string.Join('/', perYaw.Select(v => Number(v?.IdSimilarityFaceRes, "F2"))),
                Number(reference?.IdSimilarity, "F2") + "/" + Number(reference?.IdSimilarityFaceRes, "F2"),
                time is null ? "-" : Duration(time.Wall),
                time?.Work is { } work ? Duration(work) : "-",
            ]);
        }

        var widths = Enumerable.Range(0, header.Count).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        for (var i = 0; i < rows.Count; i++)
        {
            text.AppendJoin("  ", rows[i].Select((cell, c) => c < 2 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).Append('\n');
            if (i == 0) text.AppendJoin("  ", widths.Select(w => new string('-', w))).Append('\n');
        }

        return text.ToString();
    }

    private static string Yaw(double yaw) => yaw > 0 ? "+" + yaw.ToString("0.#", CultureInfo.InvariantCulture) : yaw.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Number(double? value, string format) => value switch
    {
        null => "-",
        { } v when double.IsPositiveInfinity(v) => "inf",
        { } v when double.IsNaN(v) => "NaN",
        { } v => v.ToString(format, CultureInfo.InvariantCulture),
    };

    private static string Duration(TimeSpan t) => t.TotalHours >= 1
        ? ((int)t.TotalHours).ToString(CultureInfo.InvariantCulture) + "h" + t.Minutes.ToString("00", CultureInfo.InvariantCulture) + "m"
        : ((int)t.TotalMinutes).ToString(CultureInfo.InvariantCulture) + "m" + t.Seconds.ToString("00", CultureInfo.InvariantCulture) + "s";
}
