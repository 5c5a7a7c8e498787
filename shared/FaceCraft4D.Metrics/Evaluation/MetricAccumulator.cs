using FaceCraft4D.Metrics.Protocol;

namespace FaceCraft4D.Metrics.Evaluation;

/// <summary>Collects per-view values and notes, then summarises them per metric and per view kind.</summary>
internal sealed class MetricAccumulator
{
    private readonly List<(string View, ViewKind Kind, Dictionary<string, double?> Values, Dictionary<string, string> Notes)> views = [];

    public (Dictionary<string, double?> Values, Dictionary<string, string> Notes) Begin(string view, ViewKind kind)
    {
        var entry = (view, kind, new Dictionary<string, double?>(StringComparer.Ordinal), new Dictionary<string, string>(StringComparer.Ordinal));
        views.Add(entry);
        return (entry.Item3, entry.Item4);
    }

    public IReadOnlyList<ViewMetrics> Views() =>
        views.Select(v => new ViewMetrics(v.View, v.Kind, v.Values, v.Notes)).ToList();

    /// <summary>One result per metric over the views of <paramref name="kind"/> (all views when null).</summary>
    public Dictionary<string, MetricResult> Summarise(IReadOnlyDictionary<string, string> models, IReadOnlyDictionary<string, string> skipped, ViewKind? kind)
    {
        var result = new Dictionary<string, MetricResult>(StringComparer.Ordinal);
        foreach (var metric in MetricNames.All.Where(m => m != MetricNames.Fid))
        {
            if (skipped.TryGetValue(metric, out var reason)) { result[metric] = MetricResult.Skipped(metric, reason); continue; }
            var selected = views.Where(v => kind is null || v.Kind == kind).ToList();
            var values = selected.Where(v => v.Values.TryGetValue(metric, out var x) && x is not null).Select(v => v.Values[metric]!.Value).ToList();
            var notes = selected.Where(v => v.Notes.ContainsKey(metric)).Select(v => v.Notes[metric]).Distinct().ToList();
            string why = notes.Count > 0 ? string.Join("; ", notes) : "not applicable to these views (no pixel-aligned target)";
            result[metric] = MetricResult.FromSamples(metric, values, models.GetValueOrDefault(metric, ""), why);
        }
        return result;
    }
}
