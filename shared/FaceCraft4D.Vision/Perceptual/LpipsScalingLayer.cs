using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Perceptual;

/// <summary>
/// The <c>lpips</c> package's <c>ScalingLayer</c>: (x − shift) / scale per channel, with the buffers
/// <c>shift</c> = [−0.030, −0.088, −0.188] and <c>scale</c> = [0.458, 0.448, 0.450], both [1, 3, 1, 1] (stored in the
/// state dict, so a loaded file overrides them).
/// </summary>
public sealed class LpipsScalingLayer : nn.Module<Tensor, Tensor>
{
    private readonly Tensor shift;
    private readonly Tensor scale;

    public LpipsScalingLayer() : base("ScalingLayer")
    {
        shift = torch.tensor(new[] { -0.030f, -0.088f, -0.188f }).view(1, 3, 1, 1);
        scale = torch.tensor(new[] { 0.458f, 0.448f, 0.450f }).view(1, 3, 1, 1);
        register_buffer("shift", shift);
        register_buffer("scale", scale);
    }

    /// <param name="x">[N, 3, H, W] in [−1, 1]</param>
    public override Tensor forward(Tensor x) => (x - shift) / scale;
}
