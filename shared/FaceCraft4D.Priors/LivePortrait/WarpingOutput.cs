using static TorchSharp.torch;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>What upstream <c>WarpingNetwork.forward</c> returns (its dict <c>out</c>, <c>occlusion_map</c>, <c>deformation</c>).</summary>
/// <param name="Output">[B, block_expansion·2^num_down_blocks, H, W] warped 2D features.</param>
/// <param name="OcclusionMap">[B, 1, H, W] in (0, 1); null when the network estimates none.</param>
/// <param name="Deformation">[B, D, H, W, 3] backward deformation grid (x, y, z in [-1, 1]).</param>
public sealed record WarpingOutput(Tensor Output, Tensor? OcclusionMap, Tensor Deformation) : IDisposable
{
    public void Dispose()
    {
        Output.Dispose();
        OcclusionMap?.Dispose();
        Deformation.Dispose();
    }
}
