using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Avatar;

/// <summary>
/// A trainable set of Gaussians that can be turned into world-space Gaussians for a frame: free Gaussians
/// (<see cref="FreeGaussianModel"/>) ignore the frame; Gaussians bound to FLAME triangles
/// (<see cref="FlameGaussianAvatar"/>) follow the mesh posed by the frame's FLAME parameters.
/// </summary>
public interface IGaussianAvatar : IDisposable
{
    /// <summary>The trainable attributes (local to triangles for bound models).</summary>
    GaussianParameters Parameters { get; }

    /// <summary>True when Gaussians are bound to mesh triangles.</summary>
    bool IsBound { get; }

    /// <summary>
    /// World-space Gaussians for a frame (batch of 1 FLAME parameter set; null = canonical frame). Uses SH at the active
    /// degree unless <paramref name="colors"/> [N, C] is given. Differentiable in the parameters.
    /// </summary>
    SplatGaussians Evaluate(FlameParameters? frame = null, Tensor? colors = null);

    /// <summary>World-space linear scales [N, 3] in the canonical frame (no gradient), for densification decisions.</summary>
    Tensor CanonicalWorldScales();
}
