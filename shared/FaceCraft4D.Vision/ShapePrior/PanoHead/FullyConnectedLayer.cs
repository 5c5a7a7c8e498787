using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>
/// StyleGAN2 <c>FullyConnectedLayer</c>: equalised learning rate (weight [out, in] scaled by lr_multiplier / sqrt(in)
/// at run time, bias by lr_multiplier), then <c>bias_act</c>. Parameters <c>weight</c>, <c>bias</c>.
/// </summary>
public sealed class FullyConnectedLayer : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly string activation;
    private readonly double weightGain, biasGain;

    /// <summary>Creates the layer with upstream's initialisation (randn / lr_multiplier, bias = bias_init).</summary>
    public FullyConnectedLayer(long inFeatures, long outFeatures, bool useBias = true, string activation = "linear", double lrMultiplier = 1, double biasInit = 0)
        : base(nameof(FullyConnectedLayer))
    {
        weight = new Parameter(torch.randn(outFeatures, inFeatures).DividedBy(lrMultiplier));
        register_parameter("weight", weight);
        if (useBias)
        {
            bias = new Parameter(HeldScalarOps.Hold(biasInit.ToScalar(), held => torch.full(outFeatures, held)));
            register_parameter("bias", bias);
        }
        this.activation = activation;
        weightGain = lrMultiplier / Math.Sqrt(inFeatures);
        biasGain = lrMultiplier;
    }

    /// <summary>x [N, in] -> [N, out].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var w = weight.to(x.dtype).Times(weightGain);
        var b = bias is null ? null : bias.to(x.dtype).Times(biasGain);
        Tensor y;
        if (activation == "linear" && b is not null) y = torch.addmm(b.unsqueeze(0), x, w.t(), 1, 1);
        else y = StyleGanOps.BiasAct(x.matmul(w.t()), b, activation);
        return y.MoveToOuterDisposeScope();
    }
}
