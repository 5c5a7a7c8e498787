using FaceCraft4D.Metrics.Evaluation;
using FaceCraft4D.Metrics.Fid;

namespace FaceCraft4D.Metrics.Reports;

/// <summary>Aggregates the metrics.json documents of an evaluation batch into an <see cref="EvaluationReport"/>.</summary>
public static class EvaluationReportBuilder
{
    public static EvaluationReport Build(string setName, DateTimeOffset createdAt, IEnumerable<EvaluationRunRecord> runs)
    {
        var list = runs.ToList();
        var entries = list.Select(r => new EvaluationReportEntry(r.RunId, r.ImageName, r.Status,
            r.Metrics?.Metrics ?? new Dictionary<string, MetricResult>(), r.Error ?? (r.Status == EvaluationRunStatus.Completed && r.Metrics is null ? "metrics.json missing" : null),
            r.Metrics is null ? null : EvaluationViewSummary.From(r.Metrics))).ToList();
        var summary = MetricNames.All.Select(m => Summarise(m, entries)).ToList();
        return new EvaluationReport(EvaluationReport.CurrentSchema, setName, createdAt, entries, summary, SetFid(list));
    }

    internal static MetricSummary Summarise(string metric, IReadOnlyList<EvaluationReportEntry> entries)
    {
        var results = entries.Where(e => e.Status == EvaluationRunStatus.Completed && e.Metrics.ContainsKey(metric)).Select(e => e.Metrics[metric]).ToList();
        var computed = results.Where(r => !r.IsSkipped && r.Value is not null).Select(r => r.Value!.Value).ToList();
        var finite = computed.Where(double.IsFinite).ToList();
        double? mean = finite.Count > 0 ? finite.Average() : null;
        double? std = finite.Count > 0 ? Math.Sqrt(finite.Sum(v => (v - mean!.Value) * (v - mean.Value)) / finite.Count) : null;
        return new MetricSummary(metric, MetricNames.HigherIsBetter(metric), computed.Count, computed.Count(double.IsPositiveInfinity),
            mean, std, finite.Count > 0 ? finite.Min() : null, finite.Count > 0 ? finite.Max() : null,
            results.Where(r => !r.IsSkipped && r.Model is not null).Select(r => r.Model!).Distinct().ToList(),
            results.Count(r => r.IsSkipped), results.Where(r => r.IsSkipped).Select(r => r.SkippedReason!).Distinct().ToList());
    }

    internal static MetricResult SetFid(IReadOnlyList<EvaluationRunRecord> runs)
    {
        var blocks = runs.Where(r => r.Status == EvaluationRunStatus.Completed && r.Metrics?.FidFeatures is not null).Select(r => r.Metrics!.FidFeatures!).ToList();
        if (blocks.Count == 0) return MetricResult.Skipped(MetricNames.Fid, "no run carried Inception features (weights missing or disabled)");
        var models = blocks.Select(b => b.Model).Distinct().ToList();
        if (models.Count > 1) return MetricResult.Skipped(MetricNames.Fid, $"runs used different Inception models: {string.Join(", ", models)}");
        var renders = blocks.SelectMany(b => b.RenderRows()).ToList();
        var references = blocks.SelectMany(b => b.ReferenceRows()).ToList();
        if (renders.Count < 2 || references.Count < 2)
            return MetricResult.Skipped(MetricNames.Fid, $"needs at least 2 images per set (renders {renders.Count}, references {references.Count})", models[0]);
        using var a = FeatureStatistics.FromRows(renders);
        using var b = FeatureStatistics.FromRows(references);
        return MetricResult.Computed(MetricNames.Fid, FrechetDistance.Compute(a, b), models[0], renders.Count);
    }
}
