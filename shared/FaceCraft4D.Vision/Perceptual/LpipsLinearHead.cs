using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Perceptual;

/// <summary>
/// One learned LPIPS head, the <c>lpips</c> package's <c>NetLinLayer</c>: <c>model</c> = Sequential(Dropout, Conv2d 1×1
/// C → 1 without bias), or Sequential(Conv2d) without dropout; the weight is <c>model.1.weight</c> (or <c>model.0.weight</c>)
/// [1, C, 1, 1]. Dropout is inactive in evaluation.
/// </summary>
public sealed class LpipsLinearHead : nn.Module<Tensor, Tensor>
{
    private readonly Sequential model;

    public LpipsLinearHead(int channels, bool dropout) : base("NetLinLayer")
    {
        var conv = nn.Conv2d(channels, 1, 1, bias: false);
        model = dropout ? nn.Sequential(("0", nn.Dropout()), ("1", conv)) : nn.Sequential(("0", conv));
        register_module("model", model);
    }

    /// <summary>[N, C, H, W] → [N, 1, H, W].</summary>
    public override Tensor forward(Tensor x) => model.forward(x);
}
