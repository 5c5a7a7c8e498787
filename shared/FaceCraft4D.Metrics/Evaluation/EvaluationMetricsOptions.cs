using FaceCraft4D.Graphics.ImageQuality;
using FaceCraft4D.Metrics.Protocol;

namespace FaceCraft4D.Metrics.Evaluation;

/// <summary>Tunables of <see cref="EvaluationMetricsCalculator"/> (configuration section <c>Metrics:Evaluation</c>).</summary>
public sealed class EvaluationMetricsOptions
{
    public EvaluationProtocolOptions Protocol { get; set; } = new();

    public SsimOptions Ssim { get; set; } = new();

    /// <summary>Store Inception features in metrics.json so evaluation batches can compute a set-level FID.</summary>
    public bool IncludeFidFeatures { get; set; } = true;

    /// <summary>Fewest images per side for a per-avatar FID (a covariance needs 2; FID on few samples is only indicative).</summary>
    public int MinFidSamples { get; set; } = 2;
}
