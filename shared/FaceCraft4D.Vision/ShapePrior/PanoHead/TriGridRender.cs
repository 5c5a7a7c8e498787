using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>Outputs of <see cref="TriGridGenerator.Synthesis"/>.</summary>
/// <param name="Image">Super-resolved image [N, 3, R, R] in [-1, 1].</param>
/// <param name="ImageRaw">Raw rendered RGB [N, 3, r, r] (r = neural rendering resolution).</param>
/// <param name="Depth">Expected ray distance [N, 1, r, r] in the generator's world units.</param>
/// <param name="Mask">Accumulated opacity [N, 1, r, r] (slightly widened as upstream: w (1 + 0.002) - 0.001).</param>
public sealed record TriGridRender(Tensor Image, Tensor ImageRaw, Tensor Depth, Tensor Mask);
