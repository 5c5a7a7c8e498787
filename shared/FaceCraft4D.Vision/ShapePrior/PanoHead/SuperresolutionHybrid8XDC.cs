using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>
/// EG3D / PanoHead <c>SuperresolutionHybrid8XDC</c>: the raw features and RGB are resized to the input resolution
/// (bilinear, antialiased), then two 2x synthesis blocks (<c>block0</c>, <c>block1</c>) driven by the last w.
/// Official: input 128, channels 256 and 128, output 512; the tiny test configurations shrink these.
/// </summary>
public sealed class SuperresolutionHybrid8XDC : nn.Module, ISuperResolution
{
    private readonly SynthesisBlock block0, block1;
    private readonly bool antialias;

    /// <summary>Creates the module.</summary>
    public SuperresolutionHybrid8XDC(int channels, int wDim, int inputResolution, int block0Channels, int block1Channels, double? convClamp, bool antialias = true, bool fusedModconv = true)
        : base(nameof(SuperresolutionHybrid8XDC))
    {
        this.antialias = antialias;
        InputResolution = inputResolution;
        block0 = new SynthesisBlock(channels, block0Channels, wDim, inputResolution * 2, 3, isLast: false, convClamp, fusedModconv: fusedModconv);
        block1 = new SynthesisBlock(block0Channels, block1Channels, wDim, inputResolution * 4, 3, isLast: true, convClamp, fusedModconv: fusedModconv);
        register_module("block0", block0);
        register_module("block1", block1);
    }

    /// <summary>Resolution of the features entering the blocks.</summary>
    public int InputResolution { get; }

    /// <summary>Output resolution (4 x input).</summary>
    public int OutputResolution => InputResolution * 4;

    /// <summary>rgb [N, 3, r, r], features [N, C, r, r], ws [N, num_ws, w] -> image [N, 3, 4R, 4R].</summary>
    public Tensor Forward(Tensor rgb, Tensor features, Tensor ws, NoiseMode noiseMode)
    {
        using var scope = torch.NewDisposeScope();
        ws = ws.narrow(1, ws.shape[1] - 1, 1).repeat(1, 3, 1);
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
