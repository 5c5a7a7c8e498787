using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Perceptual;

/// <summary>
/// What <c>lpips.LPIPS(in0, in1, retPerLayer=True)</c> returns: the distance and the five per-layer terms it sums.
/// Shapes [N, 1, 1, 1], or [N, 1, H, W] (the input size) for a spatial network.
/// </summary>
public sealed record LpipsResult(Tensor Distance, IReadOnlyList<Tensor> Layers) : IDisposable
{
    public void Dispose()
    {
        Distance.Dispose();
        foreach (var layer in Layers) layer.Dispose();
    }
}
