namespace FaceCraft4D.Metrics;

/// <summary>
/// One metric's outcome: its value and the model/backend that produced it, or why it was skipped.
/// Exactly one of <see cref="Value"/> and <see cref="SkippedReason"/> is set. A value may be
/// <see cref="double.PositiveInfinity"/> (PSNR of identical images).
/// </summary>
/// <param name="Metric">Metric name (<see cref="MetricNames"/>).</param>
/// <param name="Value">Mean over <see cref="Samples"/> samples; null when skipped.</param>
/// <param name="Model">Model or backend that produced it, e.g. <c>lpips:vgg16/v0.1</c> or <c>reference:ssim-gaussian11</c>.</param>
/// <param name="SkippedReason">Why the metric was not computed; null when computed.</param>
/// <param name="Samples">Number of values averaged (images, views or image pairs).</param>
/// <param name="Std">Population standard deviation of the per-sample values (null for a single sample or set metrics).</param>
public sealed record MetricResult(
    string Metric,
    double? Value,
    string? Model,
    string? SkippedReason,
    int Samples = 0,
    double? Std = null)
{
    /// <summary>True when the metric was not computed.</summary>
    public bool IsSkipped => SkippedReason is not null;

    /// <summary>A computed metric.</summary>
    public static MetricResult Computed(string metric, double value, string model, int samples = 1, double? std = null)
        => new(metric, value, model, null, samples, std);

    /// <summary>The mean (and population std) of per-sample values; skipped when there are none.</summary>
    public static MetricResult FromSamples(string metric, IReadOnlyCollection<double> values, string model, string reasonWhenEmpty)
    {
        if (values.Count == 0) return Skipped(metric, reasonWhenEmpty, model);
        double mean = values.Average(); // +inf when any value is +inf (PSNR of an identical pair), as the arithmetic says
        double? std = null;
        if (values.Count > 1 && values.All(double.IsFinite))
            std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
        return new MetricResult(metric, mean, model, null, values.Count, std);
    }

    /// <summary>A metric that was not computed, with the reason (missing weights, no face found, too few samples, ...).</summary>
    public static MetricResult Skipped(string metric, string reason, string? model = null)
        => new(metric, null, model, reason, 0, null);
}
