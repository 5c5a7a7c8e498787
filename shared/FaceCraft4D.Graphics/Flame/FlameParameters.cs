using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Flame;

/// <summary>
/// A batch of B FLAME parameter sets (tensors not owned). Rotations are axis-angle vectors (radians).
/// Shape and expression may have fewer components than the model (missing ones are zero).
/// </summary>
public sealed class FlameParameters
{
    /// <summary>Identity coefficients [B, S'] (S' &lt;= S).</summary>
    public required Tensor Shape { get; init; }

    /// <summary>Expression coefficients [B, E'] (E' &lt;= E).</summary>
    public required Tensor Expression { get; init; }

    /// <summary>Global (root) rotation [B, 3].</summary>
    public required Tensor GlobalRotation { get; init; }

    /// <summary>Neck rotation [B, 3].</summary>
    public required Tensor Neck { get; init; }

    /// <summary>Jaw rotation [B, 3] (positive x opens the mouth).</summary>
    public required Tensor Jaw { get; init; }

    /// <summary>Eye rotations [B, 6]: left eye then right eye.</summary>
    public required Tensor Eyes { get; init; }

    /// <summary>Translation added after posing [B, 3].</summary>
    public required Tensor Translation { get; init; }

    /// <summary>Batch size B.</summary>
    public long BatchSize => Shape.shape[0];

    /// <summary>All-zero parameters (the canonical neutral pose of the mean shape).</summary>
    public static FlameParameters Zeros(int batch, int shapeCount, int expressionCount, Device? device = null, ScalarType dtype = ScalarType.Float32) => new()
    {
        Shape = torch.zeros(new long[] { batch, shapeCount }, dtype, device),
        Expression = torch.zeros(new long[] { batch, expressionCount }, dtype, device),
        GlobalRotation = torch.zeros(new long[] { batch, 3 }, dtype, device),
        Neck = torch.zeros(new long[] { batch, 3 }, dtype, device),
        Jaw = torch.zeros(new long[] { batch, 3 }, dtype, device),
        Eyes = torch.zeros(new long[] { batch, 6 }, dtype, device),
        Translation = torch.zeros(new long[] { batch, 3 }, dtype, device),
    };

    /// <summary>Copy with some tensors replaced.</summary>
    public FlameParameters With(Tensor? shape = null, Tensor? expression = null, Tensor? globalRotation = null, Tensor? neck = null,
        Tensor? jaw = null, Tensor? eyes = null, Tensor? translation = null) => new()
    {
        Shape = shape ?? Shape,
        Expression = expression ?? Expression,
        GlobalRotation = globalRotation ?? GlobalRotation,
        Neck = neck ?? Neck,
        Jaw = jaw ?? Jaw,
        Eyes = eyes ?? Eyes,
        Translation = translation ?? Translation,
    };

    /// <summary>The full pose [B, 15]: global, neck, jaw, left eye, right eye (FLAME order).</summary>
    public Tensor FullPose() => torch.cat(new[] { GlobalRotation, Neck, Jaw, Eyes }, 1);
}
