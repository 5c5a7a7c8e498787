using FaceCraft4D.Weights.Scalars;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>Screen-space Gaussians of one camera (EWA projection); tensors belong to the caller's dispose scope.</summary>
public sealed class ProjectedGaussians
{
    /// <summary>Projected centres in pixels [N, 2] (differentiable).</summary>
    public required Tensor Means2d { get; init; }

    /// <summary>Inverse 2D covariance (a, b, c) [N, 3]: sigma = 0.5 (a dx^2 + c dy^2) + b dx dy (differentiable).</summary>
    public required Tensor Conics { get; init; }

    /// <summary>Camera-space depths z [N] (differentiable).</summary>
    public required Tensor Depths { get; init; }

    /// <summary>Per-axis pixel radii [N, 2] (int32), ceil(RadiusSigmas * sqrt(diag cov2d)); 0 means culled.</summary>
    public required Tensor Radii { get; init; }

    /// <summary>Gaussians that survived culling [N] (bool).</summary>
    public Tensor Visible => Radii.select(1, 0).IsGreaterThan(0).logical_and(Radii.select(1, 1).IsGreaterThan(0));
}
