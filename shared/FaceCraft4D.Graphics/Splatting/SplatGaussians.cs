using FaceCraft4D.Graphics.Cameras;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// World-space 3D Gaussians as the rasterizer consumes them (already activated; the caller owns the tensors).
/// Colour comes either from spherical harmonics (<see cref="ShCoefficients"/> with <see cref="ShDegree"/>)
/// or from precomputed per-Gaussian features (<see cref="Colors"/>, used when set).
/// </summary>
public sealed class SplatGaussians
{
    /// <summary>Centres [N, 3], world coordinates.</summary>
    public required Tensor Means { get; init; }

    /// <summary>Rotations as quaternions [N, 4] in (w, x, y, z) order; normalised inside the rasterizer.</summary>
    public required Tensor Quaternions { get; init; }

    /// <summary>Linear standard deviations along the rotated axes [N, 3] (not log).</summary>
    public required Tensor Scales { get; init; }

    /// <summary>Opacities in [0, 1] [N] (after the sigmoid).</summary>
    public required Tensor Opacities { get; init; }

    /// <summary>Spherical-harmonics coefficients [N, K, 3], K at least (ShDegree + 1)^2, in the 3DGS basis order.</summary>
    public Tensor? ShCoefficients { get; init; }

    /// <summary>Active SH degree 0..3 (only the first (degree+1)^2 coefficients are used).</summary>
    public int ShDegree { get; init; }

    /// <summary>
    /// Precomputed colours/features [N, D] (D = 3 for RGB) used instead of SH when not null; composited as given
    /// (no +0.5 offset, no clamp).
    /// </summary>
    public Tensor? Colors { get; init; }

    /// <summary>Number of Gaussians.</summary>
    public long Count => Means.shape[0];

    /// <summary>
    /// The RGB colours [N, 3] the rasterizer would use for <paramref name="camera"/>: SH at <see cref="ShDegree"/> evaluated at
    /// (mean - camera centre), + 0.5, clamped at 0 (differentiable). Throws when there are no SH coefficients.
    /// </summary>
    public Tensor ColorsFor(Camera camera)
    {
        if (ShCoefficients is null) throw new InvalidOperationException("These Gaussians have no SH coefficients.");
        using var camPos = camera.PositionTensor(Means.device, Means.dtype);
        return SphericalHarmonics.ToColor(ShDegree, Means - camPos, ShCoefficients);
    }

    /// <summary>The same Gaussians with precomputed colours/features [N, C] (e.g. base colour plus an MLP offset).</summary>
    public SplatGaussians WithColors(Tensor colors) => new()
    {
        Means = Means, Quaternions = Quaternions, Scales = Scales, Opacities = Opacities,
        ShCoefficients = ShCoefficients, ShDegree = ShDegree, Colors = colors,
    };
}
