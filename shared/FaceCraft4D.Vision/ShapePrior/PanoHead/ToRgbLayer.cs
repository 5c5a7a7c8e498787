using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>
/// StyleGAN2 <c>ToRGBLayer</c>: 1x1 modulated convolution without demodulation (style scaled by 1 / sqrt(in)),
/// bias, clamp. Parameters <c>affine.*</c>, <c>weight</c>, <c>bias</c>.
/// </summary>
public sealed class ToRgbLayer : nn.Module
{
    private readonly FullyConnectedLayer affine;
    private readonly Parameter weight, bias;
    private readonly double weightGain;
    private readonly double? convClamp;

    /// <summary>Creates the layer.</summary>
    public ToRgbLayer(int inChannels, int outChannels, int wDim, int kernelSize = 1, double? convClamp = null)
        : base(nameof(ToRgbLayer))
    {
        affine = new FullyConnectedLayer(wDim, inChannels, biasInit: 1);
        register_module("affine", affine);
        weight = new Parameter(torch.randn(outChannels, inChannels, kernelSize, kernelSize));
        register_parameter("weight", weight);
        bias = new Parameter(torch.zeros(outChannels));
        register_parameter("bias", bias);
        weightGain = 1 / Math.Sqrt(inChannels * kernelSize * kernelSize);
        this.convClamp = convClamp;
    }

    /// <summary>x [N, in, H, W], w [N, w_dim] -> [N, out, H, W]; <paramref name="fusedModconv"/> as upstream's <c>fused_modconv</c>.</summary>
    public Tensor Forward(Tensor x, Tensor w, bool fusedModconv = true)
    {
        using var scope = torch.NewDisposeScope();
        var styles = affine.forward(w).Times(weightGain);
        var y = StyleGanOps.ModulatedConv2d(x, weight, styles, demodulate: false, fused: fusedModconv);
        return StyleGanOps.BiasAct(y, bias.to(y.dtype), "linear", 1, convClamp ?? -1).MoveToOuterDisposeScope();
    }
}
