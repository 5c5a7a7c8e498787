using FaceCraft4D.Metrics.Identity;
using FaceCraft4D.Metrics.Models;

namespace FaceCraft4D.Metrics.Evaluation;

/// <summary>Which networks to load for the evaluation (configuration section <c>Metrics</c>).</summary>
public sealed class MetricModelOptions
{
    public const string SectionName = "Metrics";

    /// <summary>Operator-supplied weights: LPIPS, CLIP, Inception.</summary>
    public ModelStoreOptions Models { get; set; } = new();

    /// <summary>face-api.js recognition pipeline for ID similarity (weights from npm).</summary>
    public IdentitySimilarityOptions Identity { get; set; } = new();

    /// <summary>Torch device, e.g. <c>cpu</c> or <c>cuda</c>.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Images per Inception forward pass.</summary>
    public int InceptionBatchSize { get; set; } = 16;

    public bool EnableLpips { get; set; } = true;

    public bool EnableIdentity { get; set; } = true;

    /// <summary>The second identity model (faceres, weights from npm), reported as <c>id_similarity_faceres</c>.</summary>
    public bool EnableFaceResIdentity { get; set; } = true;

    public bool EnableClip { get; set; } = true;

    public bool EnableFid { get; set; } = true;
}
