using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>
/// The renderer's two random draws, as a seam: the stratified jitter (upstream <c>torch.rand_like(depths_coarse)</c> in
/// <c>sample_stratified</c>) and the inverse-CDF positions (<c>torch.rand(N_rays, N_importance)</c> in <c>sample_pdf</c>).
/// Both are uniform in [0, 1). Tests inject recorded draws; production uses <see cref="TorchRayRandomSource"/>.
/// </summary>
public interface IRayRandomSource
{
    /// <summary>Jitter of the stratified samples [N, M, S, 1] (fraction of one depth step).</summary>
    Tensor Stratified(long[] shape, ScalarType dtype, Device device);

    /// <summary>Positions in the CDF of the importance samples [rays, count].</summary>
    Tensor Importance(long rays, long count, ScalarType dtype, Device device);
}

/// <summary>Draws from torch's uniform RNG (the global one when <see cref="Generator"/> is null).</summary>
public sealed class TorchRayRandomSource(torch.Generator? generator = null) : IRayRandomSource
{
    /// <summary>The random generator (null: torch's default).</summary>
    public torch.Generator? Generator { get; } = generator;

    /// <inheritdoc />
    public Tensor Stratified(long[] shape, ScalarType dtype, Device device) => torch.rand(shape, dtype, device, generator: Generator);

    /// <inheritdoc />
    public Tensor Importance(long rays, long count, ScalarType dtype, Device device) =>
        torch.rand(new[] { rays, count }, dtype, device, generator: Generator);
}
