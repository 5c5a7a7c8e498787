using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>
/// StyleGAN2 <c>SynthesisBlock</c> with the 'skip' architecture: a learned constant (first block) or the previous
/// block's features upsampled by <c>conv0</c>, then <c>conv1</c>; the image is upsampled with the FIR filter and the
/// block's <c>torgb</c> output added. <paramref name="upsample"/> false gives PanoHead's <c>SynthesisBlockNoUp</c>.
/// </summary>
public sealed class SynthesisBlock : nn.Module
{
    private readonly Parameter? constant;
    private readonly SynthesisLayer? conv0;
    private readonly SynthesisLayer conv1;
    private readonly ToRgbLayer? torgb;
    private readonly Tensor resampleFilter;
    private readonly int inChannels, resolution;
    private readonly bool upsample, fusedModconv;

    /// <summary>Creates the block (in_channels 0 = first block with a constant input).</summary>
    public SynthesisBlock(int inChannels, int outChannels, int wDim, int resolution, int imgChannels, bool isLast, double? convClamp = 256, bool upsample = true,
        bool fusedModconv = true)
        : base(nameof(SynthesisBlock))
    {
        this.inChannels = inChannels;
        this.resolution = resolution;
        this.upsample = upsample;
        this.fusedModconv = fusedModconv; // upstream fused_modconv_default in eval ('inference_only' = fused)
        resampleFilter = StyleGanOps.SetupFilter(new double[] { 1, 3, 3, 1 });
        register_buffer("resample_filter", resampleFilter);
        if (inChannels == 0)
        {
            constant = new Parameter(torch.randn(outChannels, resolution, resolution));
            register_parameter("const", constant);
        }
        else
        {
            conv0 = new SynthesisLayer(inChannels, outChannels, wDim, resolution, up: upsample ? 2 : 1, convClamp: convClamp);
            register_module("conv0", conv0);
            NumConv++;
        }
        conv1 = new SynthesisLayer(outChannels, outChannels, wDim, resolution, convClamp: convClamp);
        register_module("conv1", conv1);
        NumConv++;
        torgb = new ToRgbLayer(outChannels, imgChannels, wDim, convClamp: convClamp);
        register_module("torgb", torgb);
        NumToRgb = 1;
        _ = isLast; // 'skip' blocks always have torgb
    }

    /// <summary>Synthesis layers in the block (consumes that many w's).</summary>
    public int NumConv { get; }

    /// <summary>ToRGB layers in the block (1).</summary>
    public int NumToRgb { get; }

    /// <summary>x [N, in, R/2, R/2] (null for the first block), img [N, C, R/2, R/2] or null, ws [N, NumConv + NumToRgb, w] -> (x, img) at R.</summary>
    public (Tensor X, Tensor Img) Forward(Tensor? x, Tensor? img, Tensor ws, NoiseMode noiseMode)
    {
        using var scope = torch.NewDisposeScope();
        int k = 0;
        Tensor W() => ws.select(1, k++);
        if (inChannels == 0) x = constant!.unsqueeze(0).repeat(ws.shape[0], 1, 1, 1);
        if (inChannels == 0) x = conv1.Forward(x!, W(), noiseMode, fusedModconv: fusedModconv);
        else
        {
            x = conv0!.Forward(x!, W(), noiseMode, fusedModconv: fusedModconv);
            x = conv1.Forward(x, W(), noiseMode, fusedModconv: fusedModconv);
        }
        if (img is not null && upsample) img = StyleGanOps.Upsample2d(img, resampleFilter.to(img.device));
        var y = torgb!.Forward(x, W(), fusedModconv).to(ScalarType.Float32);
        img = img is null ? y : img.Plus(y);
        return (x.MoveToOuterDisposeScope(), img.MoveToOuterDisposeScope());
    }

    /// <summary>Output resolution.</summary>
    public int Resolution => resolution;
}
