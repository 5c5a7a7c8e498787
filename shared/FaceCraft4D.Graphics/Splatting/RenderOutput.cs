using FaceCraft4D.Weights.Scalars;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// Result of rendering Gaussians into one camera. Tensors belong to the caller's dispose scope.
/// </summary>
public sealed class RenderOutput
{
    /// <summary>Colour image [H, W, C] (C = 3 for RGB), background blended by the remaining transmittance.</summary>
    public required Tensor Image { get; init; }

    /// <summary>Accumulated opacity [H, W] = 1 - final transmittance.</summary>
    public required Tensor Alpha { get; init; }

    /// <summary>Alpha-weighted camera depth [H, W] = sum_i w_i z_i (divide by <see cref="Alpha"/> for the expected depth).</summary>
    public required Tensor Depth { get; init; }

    /// <summary>Screen-space projection of every Gaussian (Means2d retains its gradient after backward for densification).</summary>
    public required ProjectedGaussians Projection { get; init; }

    /// <summary>Per-Gaussian colours/features [N, C] that were composited (SH already evaluated).</summary>
    public required Tensor Colors { get; init; }

    /// <summary>The tile lists used (for diagnostics and benchmarks).</summary>
    public required TileBins Bins { get; init; }

    /// <summary>Expected depth [H, W] = Depth / Alpha where Alpha exceeds <paramref name="minAlpha"/>, else 0.</summary>
    public Tensor ExpectedDepth(double minAlpha = 1e-3) =>
        TorchSharp.torch.where(Alpha.IsGreaterThan(minAlpha), Depth / Alpha.ClampedMin(minAlpha), TorchSharp.torch.zeros_like(Depth));
}
