using FaceCraft4D.Metrics.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Inception;

/// <summary>torchvision Inception <c>BasicConv2d</c>: <c>conv</c> (no bias) → <c>bn</c> (ε = 0.001) → ReLU.</summary>
public sealed class BasicConv2d : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly FrozenBatchNorm bn;

    public BasicConv2d(int inChannels, int outChannels, (long H, long W) kernel, (long H, long W) stride = default, (long H, long W) padding = default)
        : base("BasicConv2d")
    {
        OutChannels = outChannels;
        if (stride == default) stride = (1, 1);
        conv = nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding, bias: false);
        bn = new FrozenBatchNorm(outChannels, 0.001);
        RegisterComponents();
    }

    public BasicConv2d(int inChannels, int outChannels, long kernel, long stride = 1, long padding = 0)
        : this(inChannels, outChannels, (kernel, kernel), (stride, stride), (padding, padding)) { }

    public int OutChannels { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return nn.functional.relu(bn.forward(conv.forward(x))).MoveToOuterDisposeScope();
    }
}
