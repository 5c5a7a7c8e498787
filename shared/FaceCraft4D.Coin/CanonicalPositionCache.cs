using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Coin;

/// <summary>
/// <see cref="CanonicalPositions.Of"/> for every training step without posing FLAME each time: a FLAME-bound avatar's
/// canonical triangle frames depend only on its identity shape, which training does not change, so they are computed once
/// (on first use) and each step only places the Gaussians in them (the same products as
/// <see cref="FlameGaussianAvatar.Evaluate"/>: <c>R_f p · k_f + c_f</c> per parent triangle f, bit-identical). Other avatars
/// fall back to <see cref="CanonicalPositions.Of"/>. One cache per avatar (a different avatar rebuilds it).
/// </summary>
public sealed class CanonicalPositionCache : IDisposable
{
    private FlameGaussianAvatar? owner;
    private Tensor? centers, rotations, scales;

    /// <summary>Canonical world-space means [N, 3] of the avatar's Gaussians, no gradient.</summary>
    public Tensor Of(IGaussianAvatar avatar)
    {
        ArgumentNullException.ThrowIfNull(avatar);
        if (avatar is not FlameGaussianAvatar flame || flame.Parameters.Binding is null) return CanonicalPositions.Of(avatar);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        if (!ReferenceEquals(owner, flame) || centers is null)
        {
            Dispose();
            var frames = TriangleFrames.Compute(flame.Vertices(), flame.Flame.Faces);
            centers = frames.Centers.detach().DetachFromDisposeScope(); // [F, 3]
            rotations = frames.Rotations.detach().DetachFromDisposeScope(); // [F, 3, 3]
            scales = frames.Scales.detach().DetachFromDisposeScope(); // [F]
            owner = flame;
        }
        var p = flame.Parameters;
        var binding = p.Binding!;
        var r = rotations!.index_select(0, binding); // [N, 3, 3]
        var k = scales!.index_select(0, binding).unsqueeze(1); // [N, 1]
        var means = (torch.matmul(r, p.Positions.detach().unsqueeze(-1)).squeeze(-1) * k).Plus(centers.index_select(0, binding));
        return means.MoveToOuterDisposeScope();
    }

    /// <summary>Drops the cached frames.</summary>
    public void Dispose()
    {
        centers?.Dispose();
        rotations?.Dispose();
        scales?.Dispose();
        centers = rotations = scales = null;
        owner = null;
    }
}
