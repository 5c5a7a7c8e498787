using static TorchSharp.torch;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>
/// A driving signal for <see cref="LivePortraitAnimator"/>: per-frame expression offsets Δ_i [T, K, 3] added to the
/// source expression while the source pose is kept (the official relative mode: Δ_i = exp_d,i − exp_d,0).
/// Built either from motion-extractor expressions of a driving video's frames, or from externally supplied deltas
/// (e.g. the project's bundled clips).
/// </summary>
public sealed class DrivingMotion : IDisposable
{
    private DrivingMotion(Tensor offsets, string source)
    {
        ExpressionOffsets = offsets;
        Source = source;
    }

    /// <summary>[T, K, 3]</summary>
    public Tensor ExpressionOffsets { get; }

    /// <summary>Where the signal came from ("motion-extractor" or "expression-deltas"), for provenance.</summary>
    public string Source { get; }

    public int FrameCount => (int)ExpressionOffsets.shape[0];

    /// <summary>Relative driving from absolute per-frame expressions exp_d,i [T, K, 3]: Δ_i = exp_d,i − exp_d,0.</summary>
    public static DrivingMotion FromDrivingExpressions(Tensor expressions)
    {
        var e = Shape(expressions, nameof(expressions));
        using var first = e[0..1].clone();
        return new DrivingMotion(e - first, "motion-extractor");
    }

    /// <summary>Externally supplied offsets Δ_i, [T, K, 3] or [T, 3K] (frame 0 need not be zero).</summary>
    public static DrivingMotion FromExpressionDeltas(Tensor deltas) => new(Shape(deltas, nameof(deltas)).clone(), "expression-deltas");

    private static Tensor Shape(Tensor t, string name)
    {
        if (t.dim() == 2 && t.shape[1] % 3 == 0) return t.reshape(t.shape[0], -1, 3);
        if (t.dim() == 3 && t.shape[2] == 3) return t.alias();
        throw new ArgumentException($"{name} must be [T, K, 3] or [T, 3K]; got {Weights.ShapeFormat.Format(t.shape)}.", name);
    }

    public void Dispose() => ExpressionOffsets.Dispose();
}
