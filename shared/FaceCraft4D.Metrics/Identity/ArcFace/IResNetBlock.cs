using FaceCraft4D.Metrics.Models;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Identity.ArcFace;

/// <summary>
/// arcface_torch <c>IBasicBlock</c>: bn1 → conv1 (3×3) → bn2 → prelu → conv2 (3×3, the block's stride) → bn3, plus the
/// identity or <c>downsample</c> (1×1 conv with the stride, BatchNorm; keys <c>downsample.0</c>, <c>downsample.1</c>).
/// No activation after the sum. BatchNorm ε = 1e-5.
/// </summary>
public sealed class IResNetBlock : nn.Module<Tensor, Tensor>
{
    private readonly FrozenBatchNorm bn1, bn2, bn3;
    private readonly Conv2d conv1, conv2;
    private readonly HeldPReLU prelu;
    private readonly Sequential? downsample;

    public IResNetBlock(int inChannels, int channels, int stride) : base("IBasicBlock")
    {
        bn1 = new FrozenBatchNorm(inChannels, 1e-5);
        conv1 = nn.Conv2d(inChannels, channels, 3, padding: 1, bias: false);
        bn2 = new FrozenBatchNorm(channels, 1e-5);
        prelu = new HeldPReLU(channels, 0.25);
        conv2 = nn.Conv2d(channels, channels, 3, stride: stride, padding: 1, bias: false);
        bn3 = new FrozenBatchNorm(channels, 1e-5);
        if (stride != 1 || inChannels != channels)
            downsample = nn.Sequential(("0", nn.Conv2d(inChannels, channels, 1, stride: stride, bias: false)), ("1", new FrozenBatchNorm(channels, 1e-5)));
        RegisterComponents();
    }

    /// <summary>x [N, C_in, H, W] → [N, C, ⌈H/s⌉, ⌈W/s⌉].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = bn3.forward(conv2.forward(prelu.forward(bn2.forward(conv1.forward(bn1.forward(x))))));
        var identity = downsample is null ? x : downsample.forward(x);
        return h.Plus(identity).MoveToOuterDisposeScope();
    }
}
