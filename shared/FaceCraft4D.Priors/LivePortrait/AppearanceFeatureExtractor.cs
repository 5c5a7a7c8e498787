using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>
/// LivePortrait appearance feature extractor F (<c>appearance_feature_extractor.pth</c>): <c>first</c>,
/// <c>down_blocks.i</c>, <c>second</c> (1×1 to max_features), reshape to a 3D volume, <c>resblocks_3d.3dr{i}</c>.
/// [B, 3, 256, 256] in [0, 1] → feature volume [B, 32, 16, 64, 64].
/// </summary>
public sealed class AppearanceFeatureExtractor : nn.Module<Tensor, Tensor>
{
    private readonly SameBlock2d first;
    private readonly ModuleList<DownBlock2d> down_blocks;
    private readonly Conv2d second;
    private readonly Sequential resblocks_3d;
    private readonly AppearanceFeatureExtractorConfig _config;

    public AppearanceFeatureExtractor(AppearanceFeatureExtractorConfig config, Device? device = null) : base(nameof(AppearanceFeatureExtractor))
    {
        _config = config;
        first = new SameBlock2d(config.ImageChannel, config.BlockExpansion, false, device);
        var blocks = new List<DownBlock2d>();
        long outFeatures = config.BlockExpansion;
        for (int i = 0; i < config.NumDownBlocks; i++)
        {
            long inFeatures = Math.Min(config.MaxFeatures, config.BlockExpansion << i);
            outFeatures = Math.Min(config.MaxFeatures, config.BlockExpansion << (i + 1));
            blocks.Add(new DownBlock2d(inFeatures, outFeatures, device));
        }
        down_blocks = nn.ModuleList(blocks.ToArray());
        second = nn.Conv2d(outFeatures, config.MaxFeatures, 1, device: device);
        resblocks_3d = nn.Sequential(Enumerable.Range(0, config.NumResblocks)
            .Select(i => ("3dr" + i, (nn.Module<Tensor, Tensor>)new ResBlock3d(config.ReshapeChannel, device))).ToArray());
        register_module(nameof(first), first);
        register_module(nameof(down_blocks), down_blocks);
        register_module(nameof(second), second);
        register_module(nameof(resblocks_3d), resblocks_3d);
    }

    /// <param name="image">[B, 3, H, W] in [0, 1]</param>
    /// <returns>[B, reshape_channel, reshape_depth, H/4, W/4]</returns>
    public override Tensor forward(Tensor image)
    {
        using var scope = NewDisposeScope();
        var h = first.forward(image);
        foreach (var block in down_blocks) h = block.forward(h);
        h = second.forward(h);
        long b = h.shape[0], height = h.shape[2], width = h.shape[3];
        var volume = h.view(b, _config.ReshapeChannel, _config.ReshapeDepth, height, width);
        return resblocks_3d.forward(volume).MoveToOuterDisposeScope();
    }
}
