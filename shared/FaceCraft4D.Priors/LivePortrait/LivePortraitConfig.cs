using YamlDotNet.RepresentationModel;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>appearance_feature_extractor_params of LivePortrait's <c>models.yaml</c>.</summary>
public sealed record AppearanceFeatureExtractorConfig(int ImageChannel = 3, int BlockExpansion = 64, int NumDownBlocks = 2,
    int MaxFeatures = 512, int ReshapeChannel = 32, int ReshapeDepth = 16, int NumResblocks = 6);

/// <summary>
/// motion_extractor_params (ConvNeXtV2-tiny backbone: depths 3-3-9-3, dims 96-192-384-768; 66 pose bins). Upstream
/// ConvNeXtV2 always has four stages, so <see cref="Depths"/> and <see cref="Dims"/> have four entries.
/// </summary>
public sealed record MotionExtractorConfig(int NumKp = 21, int[]? Depths = null, int[]? Dims = null, int NumBins = 66, int InChans = 3)
{
    public int[] StageDepths => Depths ?? [3, 3, 9, 3];
    public int[] StageDims => Dims ?? [96, 192, 384, 768];
}

/// <summary>dense_motion_params of the warping module.</summary>
public sealed record DenseMotionConfig(int BlockExpansion = 32, int MaxFeatures = 1024, int NumBlocks = 5, int ReshapeDepth = 16, int Compress = 4);

/// <summary>
/// warping_module_params. <see cref="UseOcclusionMap"/> is upstream's <c>flag_use_occlusion_map</c> kwarg: whether an
/// estimated occlusion map multiplies the output.
/// </summary>
public sealed record WarpingModuleConfig(int NumKp = 21, int BlockExpansion = 64, int MaxFeatures = 512, int NumDownBlocks = 2,
    int ReshapeChannel = 32, bool EstimateOcclusionMap = true, DenseMotionConfig? DenseMotion = null, bool UseOcclusionMap = true)
{
    public DenseMotionConfig DenseMotionParams => DenseMotion ?? new DenseMotionConfig();
}

/// <summary>spade_generator_params (upscale 2: 256² features → 512² image); <see cref="OutChannels"/> is up_1's width.</summary>
public sealed record SpadeGeneratorConfig(int Upscale = 2, int BlockExpansion = 64, int MaxFeatures = 512, int NumDownBlocks = 2, int OutChannels = 64);

/// <summary>One MLP of stitching_retargeting_module_params.</summary>
public sealed record StitchingMlpConfig(int InputSize, int[] HiddenSizes, int OutputSize);

/// <summary>
/// LivePortrait network configuration (the official <c>src/config/models.yaml</c>; defaults are its values).
/// Read from a <c>models.yaml</c> in the model folder when present.
/// </summary>
public sealed record LivePortraitConfig
{
    public AppearanceFeatureExtractorConfig AppearanceFeatureExtractor { get; init; } = new();
    public MotionExtractorConfig MotionExtractor { get; init; } = new();
    public WarpingModuleConfig WarpingModule { get; init; } = new();
    public SpadeGeneratorConfig SpadeGenerator { get; init; } = new();
    public StitchingMlpConfig Stitching { get; init; } = new(126, [128, 128, 64], 65);
    public StitchingMlpConfig Lip { get; init; } = new(65, [128, 128, 64], 63);
    public StitchingMlpConfig Eye { get; init; } = new(66, [256, 256, 128, 128, 64], 63);

    public static LivePortraitConfig Official() => new();

    /// <summary>Parses the official <c>models.yaml</c> format (<c>model_params: {..._params: ...}</c>).</summary>
    public static LivePortraitConfig ParseYaml(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var p = (YamlMappingNode)root.Children[new YamlScalarNode("model_params")];
        YamlMappingNode Map(YamlMappingNode m, string key) => (YamlMappingNode)m.Children[new YamlScalarNode(key)];
        int Int(YamlMappingNode m, string key, int fallback) =>
            m.Children.TryGetValue(new YamlScalarNode(key), out var v) ? int.Parse(((YamlScalarNode)v).Value!, System.Globalization.CultureInfo.InvariantCulture) : fallback;
        bool Bool(YamlMappingNode m, string key, bool fallback) =>
            m.Children.TryGetValue(new YamlScalarNode(key), out var v) ? bool.Parse(((YamlScalarNode)v).Value!) : fallback;
        int[] Ints(YamlMappingNode m, string key) => ((YamlSequenceNode)m.Children[new YamlScalarNode(key)])
            .Select(n => int.Parse(((YamlScalarNode)n).Value!, System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        var a = Map(p, "appearance_feature_extractor_params");
        var me = Map(p, "motion_extractor_params");
        if (me.Children.TryGetValue(new YamlScalarNode("backbone"), out var backbone) && ((YamlScalarNode)backbone).Value != "convnextv2_tiny")
            throw new NotSupportedException($"motion_extractor backbone '{((YamlScalarNode)backbone).Value}' is not supported (convnextv2_tiny).");
        var w = Map(p, "warping_module_params");
        var dm = Map(w, "dense_motion_params");
        var g = Map(p, "spade_generator_params");
        var s = Map(p, "stitching_retargeting_module_params");
        StitchingMlpConfig Mlp(string key)
        {
            var m = Map(s, key);
            return new StitchingMlpConfig(Int(m, "input_size", 0), Ints(m, "hidden_sizes"), Int(m, "output_size", 0));
        }
        return new LivePortraitConfig
        {
            AppearanceFeatureExtractor = new AppearanceFeatureExtractorConfig(Int(a, "image_channel", 3), Int(a, "block_expansion", 64),
                Int(a, "num_down_blocks", 2), Int(a, "max_features", 512), Int(a, "reshape_channel", 32), Int(a, "reshape_depth", 16),
                Int(a, "num_resblocks", 6)),
            MotionExtractor = new MotionExtractorConfig(Int(me, "num_kp", 21), NumBins: Int(me, "num_bins", 66), InChans: Int(me, "in_chans", 3)),
            WarpingModule = new WarpingModuleConfig(Int(w, "num_kp", 21), Int(w, "block_expansion", 64), Int(w, "max_features", 512),
                Int(w, "num_down_blocks", 2), Int(w, "reshape_channel", 32), Bool(w, "estimate_occlusion_map", true),
                new DenseMotionConfig(Int(dm, "block_expansion", 32), Int(dm, "max_features", 1024), Int(dm, "num_blocks", 5),
                    Int(dm, "reshape_depth", 16), Int(dm, "compress", 4)), Bool(w, "flag_use_occlusion_map", true)),
            SpadeGenerator = new SpadeGeneratorConfig(Int(g, "upscale", 2), Int(g, "block_expansion", 64), Int(g, "max_features", 512),
                Int(g, "num_down_blocks", 2), Int(g, "out_channels", 64)),
            Stitching = Mlp("stitching"),
            Lip = Mlp("lip"),
            Eye = Mlp("eye"),
        };
    }
}
