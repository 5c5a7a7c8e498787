using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Animation.Rig;

/// <summary>
/// FLAME with static per-vertex offsets in the canonical space (GaussianAvatars' static offsets): the offsets are added
/// to the template before skinning, so they turn with the neck and jaw. Implemented as FLAME(params) plus the offsets
/// rotated by each vertex's blended joint rotation sum_j w_vj G_j (exactly what linear blend skinning does to a
/// displacement; G_j are the world rotations along the kinematic tree). Differentiable in the parameters and offsets.
/// Vertices beyond the offsets' length (teeth, mouth cavity) get no offset.
/// </summary>
public sealed class PosedHeadModel : IDisposable
{
    private readonly Tensor weights; // [V, J]
    private readonly long[] parents;

    /// <summary>Wraps <paramref name="flame"/> (not owned).</summary>
    public PosedHeadModel(FlameModel flame)
    {
        Flame = flame ?? throw new ArgumentNullException(nameof(flame));
        weights = flame.Data.Weights.to(flame.DType, flame.Device).DetachFromDisposeScope();
        parents = flame.Data.Parents.ToArray();
    }

    /// <summary>The FLAME model.</summary>
    public FlameModel Flame { get; }

    /// <summary>Vertices [B, V, 3] and landmarks [B, L, 3] for parameters and optional offsets [V0, 3] (V0 &lt;= V).</summary>
    public (Tensor Vertices, Tensor Landmarks) Forward(FlameParameters parameters, Tensor? offsets)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var scope = torch.NewDisposeScope();
        var output = Flame.Forward(parameters);
        var vertices = output.Vertices;
        if (offsets is not null)
        {
            long b = parameters.BatchSize, v0 = offsets.shape[0], v = vertices.shape[1];
            int j = FlameModelData.JointCount;
            var local = Rotations.AxisAngleToMatrix(parameters.FullPose().view(b, j, 3)); // [B, J, 3, 3]
            var world = new Tensor[j];
            for (int i = 0; i < j; i++)
                world[i] = parents[i] < 0 ? local.select(1, i) : torch.matmul(world[parents[i]], local.select(1, i));
            var g = torch.stack(world, 1).view(b, j, 9); // [B, J, 9]
            var blended = torch.matmul(weights.narrow(0, 0, v0).unsqueeze(0), g).view(b, v0, 3, 3); // [B, V0, 3, 3]
            var rotated = torch.matmul(blended, offsets.to(Flame.DType, Flame.Device).unsqueeze(0).unsqueeze(-1)).squeeze(-1); // [B, V0, 3]
            if (v0 < v) rotated = torch.cat([rotated, torch.zeros(b, v - v0, 3, Flame.DType, Flame.Device)], 1);
            vertices = vertices.Plus(rotated);
        }
        var landmarks = Flame.Landmarks(vertices);
        return (vertices.MoveToOuterDisposeScope(), landmarks.MoveToOuterDisposeScope());
    }

    /// <summary>FLAME parameters for a batch of frames with a shared identity [S'] (global rotation zero).</summary>
    public FlameParameters Parameters(float[] shape, IReadOnlyList<FlameFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(frames);
        int b = frames.Count, e = Math.Min(Flame.ExpressionCount, frames.Max(f => f.Expression.Length));
        var dev = Flame.Device;
        var dt = Flame.DType;
        Tensor Stack(Func<FlameFrame, float[]> pick, int n) =>
            torch.tensor(frames.SelectMany(f => Fit(pick(f), n)).ToArray(), [b, n], dt, dev);
        return new FlameParameters
        {
            Shape = torch.tensor(shape, dt, dev).unsqueeze(0).expand(b, -1),
            Expression = Stack(f => f.Expression, e),
            GlobalRotation = torch.zeros(b, 3, dt, dev),
            Neck = Stack(f => f.Neck, 3),
            Jaw = Stack(f => f.Jaw, 3),
            Eyes = Stack(f => f.Eyes, 6),
            Translation = Stack(f => f.Translation, 3),
        };
    }

    private static float[] Fit(float[] values, int n)
    {
        var r = new float[n];
        Array.Copy(values, r, Math.Min(n, values.Length));
        return r;
    }

    /// <inheritdoc />
    public void Dispose() => weights.Dispose();
}
