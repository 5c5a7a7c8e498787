using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Convolution;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>
/// LivePortrait 3D <c>Hourglass</c> (keys <c>encoder.down_blocks.i</c>, <c>decoder.up_blocks.i</c>,
/// <c>decoder.conv</c>, <c>decoder.norm</c>): U-Net over [B, C, D, H, W] halving H, W per level; the output has
/// <see cref="OutFilters"/> = blockExpansion + inFeatures channels at the input resolution.
/// </summary>
public sealed class Hourglass : nn.Module<Tensor, Tensor>
{
    private readonly HourglassEncoder encoder;
    private readonly HourglassDecoder decoder;

    public Hourglass(int blockExpansion, int inFeatures, int numBlocks, int maxFeatures, Device? device = null) : base(nameof(Hourglass))
    {
        encoder = new HourglassEncoder(blockExpansion, inFeatures, numBlocks, maxFeatures, device);
        decoder = new HourglassDecoder(blockExpansion, inFeatures, numBlocks, maxFeatures, device);
        OutFilters = blockExpansion + inFeatures;
        register_module(nameof(encoder), encoder);
        register_module(nameof(decoder), decoder);
    }

    public int OutFilters { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return decoder.Forward(encoder.Forward(x)).MoveToOuterDisposeScope();
    }
}

/// <summary>Hourglass encoder: DownBlock3d i maps min(max, e·2^i) (or the input width) to min(max, e·2^(i+1)).</summary>
public sealed class HourglassEncoder : nn.Module
{
    private readonly ModuleList<DownBlock3d> down_blocks;

    public HourglassEncoder(int blockExpansion, int inFeatures, int numBlocks, int maxFeatures, Device? device = null) : base(nameof(HourglassEncoder))
    {
        down_blocks = nn.ModuleList(Enumerable.Range(0, numBlocks).Select(i => new DownBlock3d(
            i == 0 ? inFeatures : Math.Min(maxFeatures, blockExpansion << i),
            Math.Min(maxFeatures, blockExpansion << (i + 1)), device)).ToArray());
        register_module(nameof(down_blocks), down_blocks);
    }

    /// <returns>[input, level1, ..., levelN]</returns>
    public List<Tensor> Forward(Tensor x)
    {
        var outs = new List<Tensor> { x };
        foreach (var block in down_blocks) outs.Add(block.forward(outs[^1]));
        return outs;
    }
}

/// <summary>Hourglass decoder: UpBlock3d from the deepest level, concatenating the matching encoder output each time.</summary>
public sealed class HourglassDecoder : nn.Module
{
    private readonly ModuleList<UpBlock3d> up_blocks;
    private readonly Conv3d conv;
    private readonly BatchNorm3d norm;

    public HourglassDecoder(int blockExpansion, int inFeatures, int numBlocks, int maxFeatures, Device? device = null) : base(nameof(HourglassDecoder))
    {
        var blocks = new List<UpBlock3d>();
        for (int i = numBlocks - 1; i >= 0; i--)
        {
            long inFilters = (i == numBlocks - 1 ? 1 : 2) * Math.Min(maxFeatures, blockExpansion << (i + 1));
            long outFilters = Math.Min(maxFeatures, blockExpansion << i);
            blocks.Add(new UpBlock3d(inFilters, outFilters, device));
        }
        up_blocks = nn.ModuleList(blocks.ToArray());
        long outAll = blockExpansion + inFeatures;
        conv = nn.Conv3d(outAll, outAll, 3, padding: 1, device: device);
        norm = nn.BatchNorm3d(outAll, device: device);
        register_module(nameof(up_blocks), up_blocks);
        register_module(nameof(conv), conv);
        register_module(nameof(norm), norm);
    }

    /// <param name="levels">Encoder outputs [input, level1, ..., levelN].</param>
    public Tensor Forward(IReadOnlyList<Tensor> levels)
    {
        using var scope = NewDisposeScope();
        var h = levels[^1];
        int next = levels.Count - 2;
        foreach (var block in up_blocks)
        {
            h = torch.cat([block.forward(h), levels[next--]], 1);
        }
        h = nn.functional.relu(norm.InferenceForward(ChannelAlignedConvolution.Forward(conv, h)));
        return h.MoveToOuterDisposeScope();
    }
}
