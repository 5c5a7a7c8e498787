using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace FaceCraft4D.LocalHost.Cli;

/// <summary>
/// What <c>create</c>/<c>demo</c> print about a finished avatar folder: its top-level files, its folders with their
/// file counts, the headline metrics of <c>metrics.json</c> (skipped metrics with the reason) and where to view it.
/// </summary>
public sealed class AvatarFolderSummary(IAnsiConsole console)
{
    /// <summary>Prints the summary of <paramref name="folder"/> holding <paramref name="files"/> (absolute paths).</summary>
    public async Task WriteAsync(string folder, string runId, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        console.MarkupLineInterpolated($"[green]Avatar ready:[/] {folder} ({files.Count} files)");
        var relative = files.Select(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/')).ToList();
        foreach (var file in relative.Where(r => !r.Contains('/', StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            console.WriteLine($"  {file}");
        }

        foreach (var group in relative.Where(r => r.Contains('/', StringComparison.Ordinal))
                     .GroupBy(r => r[..r.IndexOf('/', StringComparison.Ordinal)]).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var shown = group.Where(n => !n.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || group.Count() <= 4).Order(StringComparer.Ordinal).Take(6).ToList();
            var more = group.Count() - shown.Count;
            console.WriteLine($"  {group.Key}/ ({group.Count()} files): {string.Join(", ", shown.Select(n => n[(group.Key.Length + 1)..]))}{(more > 0 ? $" and {more} more" : "")}");
        }

        var metricsPath = Path.Combine(folder, "metrics.json");
        if (File.Exists(metricsPath))
        {
            console.WriteLine($"  metrics: {await MetricsLineAsync(metricsPath, cancellationToken).ConfigureAwait(false)}");
        }

        console.MarkupLineInterpolated($"[grey]Viewer: ./fc4d host, then open http://127.0.0.1:7071/avatars/{runId}[/]");
    }

    /// <summary><c>name value</c> for every measured metric, then a line per reason for the skipped ones.</summary>
    public static async Task<string> MetricsLineAsync(string metricsPath, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(metricsPath);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!document.RootElement.TryGetProperty("metrics", out var metrics) || metrics.ValueKind != JsonValueKind.Object)
        {
            return "(metrics.json has no metrics)";
        }

        var measured = new List<string>();
        var skipped = new List<(string Metric, string Reason)>();
        foreach (var metric in metrics.EnumerateObject())
        {
            if (metric.Value.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Number)
            {
                measured.Add($"{metric.Name} {value.GetDouble().ToString("0.###", CultureInfo.InvariantCulture)}");
            }
            else
            {
                var reason = metric.Value.TryGetProperty("skippedReason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : "not measured";
                skipped.Add((metric.Name, reason ?? "not measured"));
            }
        }

        // Metrics skipped for the same reason (typically: no weights) share one line.
        var reasons = skipped.GroupBy(x => x.Reason, StringComparer.Ordinal)
            .Select(g => $"skipped {string.Join(", ", g.Select(x => x.Metric))}: {g.Key}");
        return string.Join(Environment.NewLine + "    ", new[] { string.Join(", ", measured) }.Concat(reasons));
    }
}
