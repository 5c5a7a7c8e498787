using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>
/// StyleGAN2 <c>SynthesisLayer</c>: style from w by <c>affine</c> (bias init 1), modulated and demodulated 3x3
/// convolution (optionally 2x upsampled), per-pixel noise (<c>noise_const</c> x <c>noise_strength</c>), bias and
/// leaky ReLU with gain sqrt(2), clamped to +-conv_clamp. Parameters <c>weight</c>, <c>bias</c>, <c>noise_strength</c>;
/// buffers <c>resample_filter</c>, <c>noise_const</c>.
/// </summary>
public sealed class SynthesisLayer : nn.Module
{
    private readonly FullyConnectedLayer affine;
    private readonly Parameter weight, bias;
    private readonly Parameter? noiseStrength;
    private readonly Tensor resampleFilter;
    private readonly Tensor? noiseConst;
    private readonly int up, padding, resolution;
    private readonly double? convClamp;

    /// <summary>Creates the layer.</summary>
    public SynthesisLayer(int inChannels, int outChannels, int wDim, int resolution, int kernelSize = 3, int up = 1, bool useNoise = true, double? convClamp = null)
        : base(nameof(SynthesisLayer))
    {
        this.up = up;
        this.resolution = resolution;
        this.convClamp = convClamp;
        padding = kernelSize / 2;
        resampleFilter = StyleGanOps.SetupFilter(new double[] { 1, 3, 3, 1 });
        register_buffer("resample_filter", resampleFilter);
        affine = new FullyConnectedLayer(wDim, inChannels, biasInit: 1);
        register_module("affine", affine);
        weight = new Parameter(torch.randn(outChannels, inChannels, kernelSize, kernelSize));
        register_parameter("weight", weight);
        if (useNoise)
        {
            noiseConst = torch.randn(resolution, resolution);
            register_buffer("noise_const", noiseConst);
            noiseStrength = new Parameter(torch.zeros(Array.Empty<long>()));
            register_parameter("noise_strength", noiseStrength);
        }
        bias = new Parameter(torch.zeros(outChannels));
        register_parameter("bias", bias);
    }

    /// <summary>x [N, in, R / up, R / up], w [N, w_dim] -> [N, out, R, R] (<paramref name="fusedModconv"/>: upstream <c>fused_modconv</c>).</summary>
    public Tensor Forward(Tensor x, Tensor w, NoiseMode noiseMode, double gain = 1, bool fusedModconv = true)
    {
        using var scope = torch.NewDisposeScope();
        var styles = affine.forward(w);
        Tensor? noise = null;
        if (noiseStrength is not null && noiseMode == NoiseMode.Random)
            noise = torch.randn(new long[] { x.shape[0], 1, resolution, resolution }, x.dtype, x.device) * noiseStrength;
        if (noiseStrength is not null && noiseMode == NoiseMode.Const)
            noise = noiseConst! * noiseStrength;
        var y = StyleGanOps.ModulatedConv2d(x, weight, styles, noise, up, padding, resampleFilter, demodulate: true, flipWeight: up == 1, fused: fusedModconv);
        double? clamp = convClamp * gain;
        y = StyleGanOps.BiasAct(y, bias.to(y.dtype), "lrelu", StyleGanOps.LeakyReluGain * gain, clamp ?? -1);
        return y.MoveToOuterDisposeScope();
    }
}
