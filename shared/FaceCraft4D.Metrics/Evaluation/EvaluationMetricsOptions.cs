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

    /// <summary>
    /// A view without a pixel-aligned target whose camera and FLAME values equal an earlier view's (<see cref="ProtocolRenderKey"/>)
    /// takes that view's figures instead of being rendered and scored again (its render would be the same image). The built-in
    /// <c>jaw-open</c> clip repeats 3 of its 8 frames, so 9 of the protocol's 54 renders are saved. Figures are unchanged.
    /// </summary>
    public bool ReuseIdenticalRenders { get; set; } = true;

    /// <summary>Fewest images per side for a per-avatar FID (a covariance needs 2; FID on few samples is only indicative).</summary>
    public int MinFidSamples { get; set; } = 2;
}
