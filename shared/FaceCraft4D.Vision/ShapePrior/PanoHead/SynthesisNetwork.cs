using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>
/// StyleGAN2 <c>SynthesisNetwork</c>: blocks <c>b4</c>, <c>b8</c>, ... up to the image resolution, channels
/// min(channel_base / res, channel_max); consecutive blocks share one w at their boundary (num_ws = convs + 1).
/// </summary>
public sealed class SynthesisNetwork : nn.Module
{
    private readonly (int Resolution, SynthesisBlock Block)[] blocks;

    /// <summary>Creates the network.</summary>
    public SynthesisNetwork(int wDim, int imgResolution, int imgChannels, int channelBase = 32768, int channelMax = 512, double? convClamp = 256, bool fusedModconv = true)
        : base(nameof(SynthesisNetwork))
    {
        if (imgResolution < 4 || (imgResolution & (imgResolution - 1)) != 0) throw new ArgumentException("Resolution must be a power of two >= 4.", nameof(imgResolution));
        int log2 = (int)Math.Round(Math.Log2(imgResolution));
        var resolutions = Enumerable.Range(2, log2 - 1).Select(i => 1 << i).ToArray();
        int Channels(int res) => Math.Min(channelBase / res, channelMax);
        blocks = new (int, SynthesisBlock)[resolutions.Length];
        for (int i = 0; i < resolutions.Length; i++)
        {
            int res = resolutions[i];
            int inC = res > 4 ? Channels(res / 2) : 0;
            bool isLast = res == imgResolution;
            var block = new SynthesisBlock(inC, Channels(res), wDim, res, imgChannels, isLast, convClamp, fusedModconv: fusedModconv);
            NumWs += block.NumConv + (isLast ? block.NumToRgb : 0);
            register_module($"b{res}", block);
            blocks[i] = (res, block);
        }
        ImgResolution = imgResolution;
        ImgChannels = imgChannels;
    }

    /// <summary>Number of w vectors consumed.</summary>
    public int NumWs { get; }

    /// <summary>Output resolution.</summary>
    public int ImgResolution { get; }

    /// <summary>Output channels.</summary>
    public int ImgChannels { get; }

    /// <summary>ws [N, num_ws, w_dim] -> image [N, img_channels, R, R].</summary>
    public Tensor Forward(Tensor ws, NoiseMode noiseMode)
    {
        using var scope = torch.NewDisposeScope();
        ws = ws.to(ScalarType.Float32);
        Tensor? x = null, img = null;
        int index = 0;
        foreach (var (_, block) in blocks)
        {
            var blockWs = ws.narrow(1, index, block.NumConv + block.NumToRgb);
            index += block.NumConv;
            (x, img) = block.Forward(x, img, blockWs, noiseMode);
        }
        return img!.MoveToOuterDisposeScope();
    }
}
