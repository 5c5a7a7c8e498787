using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>
/// EG3D / PanoHead <c>SuperresolutionHybrid2X</c> (128 px models): the raw features and RGB are resized to the input
/// resolution (bilinear, optionally antialiased), then <c>block0</c> (a synthesis block without upsampling,
/// <c>SynthesisBlockNoUp</c>) and <c>block1</c> (a 2x synthesis block), both driven by the last w.
/// Upstream: input 64, channels 128 and 64, output 128. Holds the (unused) <c>resample_filter</c> buffer upstream has.
/// </summary>
public sealed class SuperresolutionHybrid2X : nn.Module, ISuperResolution
{
    private readonly SynthesisBlock block0, block1;
    private readonly bool antialias;

    /// <summary>Creates the module.</summary>
    public SuperresolutionHybrid2X(int channels, int wDim, int inputResolution, int block0Channels, int block1Channels, double? convClamp, bool antialias = true, bool fusedModconv = true)
        : base(nameof(SuperresolutionHybrid2X))
    {
        this.antialias = antialias;
        InputResolution = inputResolution;
        block0 = new SynthesisBlock(channels, block0Channels, wDim, inputResolution, 3, isLast: false, convClamp, upsample: false, fusedModconv: fusedModconv);
        block1 = new SynthesisBlock(block0Channels, block1Channels, wDim, inputResolution * 2, 3, isLast: true, convClamp, fusedModconv: fusedModconv);
        register_module("block0", block0);
        register_module("block1", block1);
        register_buffer("resample_filter", StyleGanOps.SetupFilter(new double[] { 1, 3, 3, 1 }));
    }

    /// <inheritdoc />
    public int InputResolution { get; }

    /// <inheritdoc />
    public int OutputResolution => InputResolution * 2;

    /// <inheritdoc />
    public Tensor Forward(Tensor rgb, Tensor features, Tensor ws, NoiseMode noiseMode)
    {
        using var scope = torch.NewDisposeScope();
        ws = ws.narrow(1, ws.shape[1] - 1, 1).repeat(1, 3, 1); // [N, 3, w]
        if (features.shape[^1] != InputResolution)
        {
            var size = new long[] { InputResolution, InputResolution };
            features = torch.nn.functional.interpolate(features, size, mode: InterpolationMode.Bilinear, align_corners: false, antialias: antialias);
            rgb = torch.nn.functional.interpolate(rgb, size, mode: InterpolationMode.Bilinear, align_corners: false, antialias: antialias);
        }
        var (x, img) = block0.Forward(features, rgb, ws, noiseMode);
        (_, img) = block1.Forward(x, img, ws, noiseMode);
        return img.MoveToOuterDisposeScope();
    }
}
