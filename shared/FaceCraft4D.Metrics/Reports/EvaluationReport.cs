namespace FaceCraft4D.Metrics.Reports;

/// <summary>
/// <c>report.json</c> of an evaluation batch (<c>eval/reports/{date}/</c>): one entry per image and a summary per metric.
/// </summary>
/// <param name="Schema"><see cref="CurrentSchema"/>.</param>
/// <param name="SetName">The evaluation set (<c>eval/sets/{name}</c>).</param>
/// <param name="CreatedAt">When the report was built.</param>
/// <param name="Entries">Per run, in input order.</param>
/// <param name="Summary">Per metric (report order of <see cref="MetricNames.All"/>) over the completed runs.</param>
/// <param name="SetFid">FID over the whole set: every run's render features against every run's reference features
/// (skipped when fewer than two of either, or no run carried Inception features).</param>
public sealed record EvaluationReport(
    string Schema,
    string SetName,
    DateTimeOffset CreatedAt,
    IReadOnlyList<EvaluationReportEntry> Entries,
    IReadOnlyList<MetricSummary> Summary,
    MetricResult SetFid)
{
    public const string CurrentSchema = "fc4d.eval-report/1";
}

/// <summary>One image of the batch: its run, status, metrics (summary results of its metrics.json) and error;
/// <paramref name="Views"/>: its reference and static views (face found, ID per view), null without metrics.json.</summary>
public sealed record EvaluationReportEntry(
    string RunId,
    string ImageName,
    EvaluationRunStatus Status,
    IReadOnlyDictionary<string, MetricResult> Metrics,
    string? Error,
    IReadOnlyList<EvaluationViewSummary>? Views = null);

/// <summary>
/// Statistics of one metric over the runs where it was computed. Mean, population standard deviation, min and max
/// are over finite values; <see cref="InfiniteCount"/> counts +∞ values (PSNR of pixel-identical renders) separately.
/// </summary>
public sealed record MetricSummary(
    string Metric,
    bool HigherIsBetter,
    int Count,
    int InfiniteCount,
    double? Mean,
    double? Std,
    double? Min,
    double? Max,
    IReadOnlyList<string> Models,
    int SkippedCount,
    IReadOnlyList<string> SkipReasons);
