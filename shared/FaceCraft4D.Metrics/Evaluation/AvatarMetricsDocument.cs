using FaceCraft4D.Metrics.Protocol;

namespace FaceCraft4D.Metrics.Evaluation;

/// <summary>
/// <c>metrics.json</c> of one avatar (written to <c>avatars/{runId}/metrics.json</c> by the Evaluate stage).
/// </summary>
/// <param name="Schema">Format tag, <see cref="CurrentSchema"/>.</param>
/// <param name="RunId">The run evaluated.</param>
/// <param name="CreatedAt">When the metrics were computed.</param>
/// <param name="Protocol">The views (name, kind, yaw, pitch, clip, frame) and image size.</param>
/// <param name="Metrics">One result per metric over all views where it applies (<see cref="MetricNames"/>).</param>
/// <param name="Groups">The same per view kind: <c>reference</c>, <c>static</c>, <c>animation</c>.</param>
/// <param name="Views">Per-view values (null where not computed; <see cref="ViewMetrics.Notes"/> say why).</param>
/// <param name="Models">Metric → model/backend used, or <c>skipped: reason</c>.</param>
/// <param name="FidFeatures">Inception pool3 features of renders and references, so evaluation batches can compute a
/// set-level FID across avatars; null when the Inception weights are absent or disabled.</param>
public sealed record AvatarMetricsDocument(
    string Schema,
    string RunId,
    DateTimeOffset CreatedAt,
    ProtocolDescription Protocol,
    IReadOnlyDictionary<string, MetricResult> Metrics,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, MetricResult>> Groups,
    IReadOnlyList<ViewMetrics> Views,
    IReadOnlyDictionary<string, string> Models,
    FidFeatureBlock? FidFeatures = null)
{
    public const string CurrentSchema = "fc4d.metrics/1";
}

/// <summary>The protocol as run.</summary>
public sealed record ProtocolDescription(int ImageSize, IReadOnlyList<ProtocolView> Views, IReadOnlyList<string> Clips);

/// <summary>One rendered view.</summary>
public sealed record ProtocolView(string Name, ViewKind Kind, double YawDegrees, double PitchDegrees, string? Clip, int? Frame, string? Expression);

/// <summary>Metric values of one view. Values: metric → value (null: not computed); Notes: metric → why not.</summary>
public sealed record ViewMetrics(
    string View,
    ViewKind Kind,
    IReadOnlyDictionary<string, double?> Values,
    IReadOnlyDictionary<string, string> Notes);
