using FaceCraft4D.Parity.Tests.Harness;
using FaceCraft4D.Priors.LivePortrait;

namespace FaceCraft4D.Parity.Tests.Modules.LivePortrait;

/// <summary>
/// Port configurations from the kwargs of LivePortrait's constructors (<c>src/modules/*.py</c> at the pinned commit),
/// with upstream's own defaults where a kwarg is left out; any kwarg the port does not honour is an error.
/// </summary>
public static class LivePortraitKwargs
{
    /// <summary><c>AppearanceFeatureExtractor(image_channel, block_expansion, num_down_blocks, max_features, reshape_channel, reshape_depth, num_resblocks)</c>: all required.</summary>
    public static AppearanceFeatureExtractorConfig AppearanceFeatureExtractor(UpstreamKwargs k)
    {
        var config = new AppearanceFeatureExtractorConfig(k.Int("image_channel"), k.Int("block_expansion"), k.Int("num_down_blocks"),
            k.Int("max_features"), k.Int("reshape_channel"), k.Int("reshape_depth"), k.Int("num_resblocks"));
        k.EnsureAllRead();
        if (config.NumDownBlocks < 1)
            throw new NotSupportedException("AppearanceFeatureExtractor: num_down_blocks must be at least 1 (upstream leaves 'second' undefined otherwise).");
        if (config.MaxFeatures != config.ReshapeChannel * config.ReshapeDepth)
            throw new ArgumentException($"AppearanceFeatureExtractor: max_features {config.MaxFeatures} must equal reshape_channel·reshape_depth = {config.ReshapeChannel * config.ReshapeDepth}.");
        return config;
    }

    /// <summary>
    /// <c>MotionExtractor(**kwargs)</c>: <c>backbone</c> (default <c>convnextv2_tiny</c>, depths 3-3-9-3 and dims
    /// 96..768 fixed) or <c>convnextv2_custom</c> (the goldens' registration: <c>ConvNeXtV2(depths=depths, dims=dims, **kw)</c>);
    /// ConvNeXtV2 reads <c>in_chans</c> (3), <c>num_kp</c> (24, ConvNeXtV2's own default), <c>num_bins</c> (66) and
    /// <c>drop_path_rate</c> (stochastic depth, identity in eval).
    /// </summary>
    public static MotionExtractorConfig MotionExtractor(UpstreamKwargs k)
    {
        var backbone = k.String("backbone", "convnextv2_tiny");
        int[] depths, dims;
        switch (backbone)
        {
            case "convnextv2_tiny":
                if (k.Has("depths") || k.Has("dims"))
                    throw new ArgumentException("MotionExtractor: backbone 'convnextv2_tiny' fixes depths and dims; upstream rejects them as kwargs.");
                depths = [3, 3, 9, 3];
                dims = [96, 192, 384, 768];
                break;
            case "convnextv2_custom":
                depths = k.Ints("depths", [3, 3, 9, 3]);
                dims = k.Ints("dims", [96, 192, 384, 768]);
                break;
            default:
                throw new NotSupportedException($"MotionExtractor: backbone '{backbone}' is not supported (convnextv2_tiny, convnextv2_custom).");
        }
        var config = new MotionExtractorConfig(k.Int("num_kp", 24), depths, dims, k.Int("num_bins", 66), k.Int("in_chans", 3));
        k.Ignore("drop_path_rate");
        k.EnsureAllRead();
        return config;
    }

    /// <summary>
    /// <c>WarpingNetwork(num_kp, block_expansion, max_features, num_down_blocks, reshape_channel,
    /// estimate_occlusion_map=False, dense_motion_params=None, **kwargs)</c> with kwargs <c>flag_use_occlusion_map</c>
    /// (True) and <c>upscale</c> (stored, never used); <c>dense_motion_params</c> holds DenseMotionNetwork's
    /// <c>block_expansion, num_blocks, max_features, reshape_depth, compress</c>.
    /// </summary>
    public static WarpingModuleConfig WarpingNetwork(UpstreamKwargs k)
    {
        int numKp = k.Int("num_kp"), blockExpansion = k.Int("block_expansion"), maxFeatures = k.Int("max_features");
        int numDownBlocks = k.Int("num_down_blocks"), reshapeChannel = k.Int("reshape_channel");
        bool estimateOcclusion = k.Bool("estimate_occlusion_map", false);
        bool useOcclusion = k.Bool("flag_use_occlusion_map", true);
        k.Ignore("upscale");
        var dm = k.Nested("dense_motion_params")
            ?? throw new NotSupportedException("WarpingNetwork: dense_motion_params=None is not supported (upstream forward then has no output).");
        var dense = new DenseMotionConfig(dm.Int("block_expansion"), dm.Int("max_features"), dm.Int("num_blocks"), dm.Int("reshape_depth"), dm.Int("compress"));
        dm.EnsureAllRead();
        k.EnsureAllRead();
        return new WarpingModuleConfig(numKp, blockExpansion, maxFeatures, numDownBlocks, reshapeChannel, estimateOcclusion, dense, useOcclusion);
    }

    /// <summary><c>SPADEDecoder(upscale=1, max_features=256, block_expansion=64, out_channels=64, num_down_blocks=2)</c>.</summary>
    public static SpadeGeneratorConfig SpadeDecoder(UpstreamKwargs k)
    {
        var config = new SpadeGeneratorConfig(k.Int("upscale", 1), k.Int("block_expansion", 64), k.Int("max_features", 256),
            k.Int("num_down_blocks", 2), k.Int("out_channels", 64));
        k.EnsureAllRead();
        if (config.NumDownBlocks < 1)
            throw new NotSupportedException("SPADEDecoder: num_down_blocks must be at least 1 (upstream leaves its input width undefined otherwise).");
        return config;
    }

    /// <summary><c>StitchingRetargetingNetwork(input_size, hidden_sizes, output_size)</c>: all required.</summary>
    public static StitchingMlpConfig StitchingRetargetingNetwork(UpstreamKwargs k)
    {
        var config = new StitchingMlpConfig(k.Int("input_size"), k.Ints("hidden_sizes"), k.Int("output_size"));
        k.EnsureAllRead();
        if (config.HiddenSizes.Length == 0)
            throw new NotSupportedException("StitchingRetargetingNetwork: hidden_sizes must not be empty (upstream indexes hidden_sizes[-1]).");
        return config;
    }
}
