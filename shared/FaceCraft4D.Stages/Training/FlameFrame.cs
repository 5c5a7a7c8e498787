using FaceCraft4D.Graphics.Flame;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Stages.Training;

/// <summary>
/// FLAME parameters of one frame except the identity (shared by the run): expression coefficients and the pose (axis-angle
/// radians: global, neck, jaw, eyes = left then right) and translation, in the FLAME world frame of the shape prior.
/// </summary>
public sealed record FlameFrame(float[] Expression, float[] Jaw, float[] Neck, float[] Eyes, float[] GlobalRotation, float[] Translation)
{
    /// <summary>The neutral frame (all zero).</summary>
    public static FlameFrame Neutral { get; } = new([], [0, 0, 0], [0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0], [0, 0, 0]);

    /// <summary>Batch-1 FLAME parameters with the given identity, on the model's device; expression padded or cut to the model.</summary>
    public FlameParameters ToParameters(FlameModel flame, Tensor shape)
    {
        ArgumentNullException.ThrowIfNull(flame);
        var e = new float[flame.ExpressionCount];
        Array.Copy(Expression, e, Math.Min(Expression.Length, e.Length));
        Tensor V(float[] values, int n, string name)
        {
            if (values.Length != n) throw new StageInputException("input-invalid", $"FLAME {name} needs {n} values, got {values.Length}.");
            return torch.tensor(values, [1, n], flame.DType, flame.Device);
        }
        return new FlameParameters
        {
            Shape = shape.to(flame.DType, flame.Device).reshape(1, -1),
            Expression = torch.tensor(e, [1, e.Length], flame.DType, flame.Device),
            GlobalRotation = V(GlobalRotation, 3, "global rotation"),
            Neck = V(Neck, 3, "neck"),
            Jaw = V(Jaw, 3, "jaw"),
            Eyes = V(Eyes, 6, "eyes"),
            Translation = V(Translation, 3, "translation"),
        };
    }
}
