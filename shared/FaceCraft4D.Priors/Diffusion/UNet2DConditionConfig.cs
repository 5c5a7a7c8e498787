using System.Text.Json;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// Configuration of <see cref="UNet2DConditionModel"/>, read from a diffusers <c>unet/config.json</c>. Covers the
/// Stable Diffusion 1.x / 2.x and SDXL families (CosmicMan-SD / CosmicMan-SDXL share them): ResNet + transformer down/up
/// blocks, a cross-attention mid block, optional SDXL "text_time" added conditioning. Per-block values are normalised
/// to arrays. Note the diffusers naming quirk: <c>attention_head_dim</c> is the number of heads unless
/// <c>num_attention_heads</c> is given.
/// </summary>
public sealed record UNet2DConditionConfig
{
    public int SampleSize { get; init; } = 64;
    public int InChannels { get; init; } = 4;
    public int OutChannels { get; init; } = 4;
    /// <summary>Maps the input sample x to 2x − 1 before conv_in.</summary>
    public bool CenterInputSample { get; init; }
    public bool FlipSinToCos { get; init; } = true;
    public double FreqShift { get; init; }
    public string[] DownBlockTypes { get; init; } = ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"];
    public string? MidBlockType { get; init; } = "UNetMidBlock2DCrossAttn";
    public string[] UpBlockTypes { get; init; } = ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"];
    /// <summary>Per down block: attn1 attends to the text instead of itself (up blocks use the reversed list). Null = all false.</summary>
    public bool[]? OnlyCrossAttention { get; init; }
    public int[] BlockOutChannels { get; init; } = [320, 640, 1280, 1280];
    /// <summary>ResNet layers per down block (up blocks have one more).</summary>
    public int[] LayersPerBlock { get; init; } = [2, 2, 2, 2];
    public int DownsamplePadding { get; init; } = 1;
    public double MidBlockScaleFactor { get; init; } = 1.0;
    /// <summary>diffusers activation of the ResNets, time embedding and output (<see cref="DiffusersActivation"/>).</summary>
    public string ActFn { get; init; } = "silu";
    public int NormNumGroups { get; init; } = 32;
    public double NormEps { get; init; } = 1e-5;
    /// <summary>Text-embedding width per down block.</summary>
    public int[] CrossAttentionDim { get; init; } = [768, 768, 768, 768];
    /// <summary>Transformer depth per down block and ResNet layer.</summary>
    public int[][] TransformerLayersPerBlock { get; init; } = [[1, 1], [1, 1], [1, 1], [1, 1]];
    /// <summary>Transformer depth per up block and layer (diffusers <c>reverse_transformer_layers_per_block</c> or the reverse of the down depths).</summary>
    public int[][] UpTransformerLayersPerBlock { get; init; } = [[1, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1]];
    /// <summary>Attention heads per down block.</summary>
    public int[] NumAttentionHeads { get; init; } = [8, 8, 8, 8];
    public bool UseLinearProjection { get; init; }
    public bool UpcastAttention { get; init; }
    /// <summary>"default" (time embedding added) or "scale_shift" (applied as scale and shift after norm2).</summary>
    public string ResnetTimeScaleShift { get; init; } = "default";
    /// <summary>Width of the time embedding (default 4 · block_out_channels[0]).</summary>
    public int? TimeEmbeddingDim { get; init; }
    /// <summary>Activation applied to the summed embedding before the blocks (null: none).</summary>
    public string? TimeEmbeddingActFn { get; init; }
    /// <summary>Activation after the time embedding's linear_2 (null: none).</summary>
    public string? TimestepPostAct { get; init; }
    /// <summary>Width of the optional timestep condition (LCM w-embedding), projected by <c>time_embedding.cond_proj</c>.</summary>
    public int? TimeCondProjDim { get; init; }
    /// <summary>When set, text embeddings of this width pass through <c>encoder_hid_proj</c> (Linear to cross_attention_dim).</summary>
    public int? EncoderHidDim { get; init; }
    public int ConvInKernel { get; init; } = 3;
    public int ConvOutKernel { get; init; } = 3;
    /// <summary>null or "text_time" (SDXL).</summary>
    public string? AdditionEmbedType { get; init; }
    public int? AdditionTimeEmbedDim { get; init; }
    public int? ProjectionClassEmbeddingsInputDim { get; init; }

    public int TimeEmbedDim => TimeEmbeddingDim ?? BlockOutChannels[0] * 4;

    /// <summary>runwayml / stable-diffusion-v1-5 <c>unet/config.json</c>.</summary>
    public static UNet2DConditionConfig StableDiffusion15() => new();

    /// <summary>stabilityai / stable-diffusion-2-1 <c>unet/config.json</c> (768-v).</summary>
    public static UNet2DConditionConfig StableDiffusion21() => new()
    {
        SampleSize = 96,
        CrossAttentionDim = [1024, 1024, 1024, 1024],
        NumAttentionHeads = [5, 10, 20, 20],
        UseLinearProjection = true,
        UpcastAttention = true,
    };

    /// <summary>stabilityai / stable-diffusion-xl-base-1.0 <c>unet/config.json</c>.</summary>
    public static UNet2DConditionConfig StableDiffusionXL() => new()
    {
        SampleSize = 128,
        DownBlockTypes = ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
        UpBlockTypes = ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
        BlockOutChannels = [320, 640, 1280],
        LayersPerBlock = [2, 2, 2],
        CrossAttentionDim = [2048, 2048, 2048],
        TransformerLayersPerBlock = [[1, 1], [2, 2], [10, 10]],
        UpTransformerLayersPerBlock = [[10, 10, 10], [2, 2, 2], [1, 1, 1]],
        NumAttentionHeads = [5, 10, 20],
        UseLinearProjection = true,
        AdditionEmbedType = "text_time",
        AdditionTimeEmbedDim = 256,
        ProjectionClassEmbeddingsInputDim = 2816,
    };

    /// <summary>Reads a diffusers <c>config.json</c>; unsupported options raise <see cref="NotSupportedException"/> naming the key.</summary>
    public static async Task<UNet2DConditionConfig> LoadAsync(string path, CancellationToken cancellationToken = default)
        => FromJson(await DiffusersJson.LoadAsync(path, cancellationToken).ConfigureAwait(false));

    public static UNet2DConditionConfig Parse(string json, string source = "config.json") => FromJson(DiffusersJson.Parse(json, source));

    private static UNet2DConditionConfig FromJson(DiffusersJson j)
    {
        // Mirrors UNet2DConditionModel.__init__: every constructor kwarg is either honoured, has no effect on the
        // supported block types, or raises NotSupportedException naming it.
        if (j.Has("num_attention_heads"))
            throw new NotSupportedException("num_attention_heads is rejected by diffusers' UNet2DConditionModel itself (naming issue #2011); give attention_head_dim (= number of heads).");
        j.Require("class_embed_type", _ => false, "class embeddings need class_labels");
        j.Require("num_class_embeds", _ => false, "class embeddings need class_labels");
        j.Require("encoder_hid_dim_type", v => v.GetString() == "text_proj", "text_proj encoder hidden projection only");
        j.Require("time_embedding_type", v => v.GetString() == "positional", "positional time embedding only");
        j.Require("dual_cross_attention", v => v.ValueKind == JsonValueKind.False, "single cross attention");
        j.Require("conv_in_kernel", v => v.GetInt32() % 2 == 1, "odd conv_in kernel");
        j.Require("conv_out_kernel", v => v.GetInt32() % 2 == 1, "odd conv_out kernel");
        j.Require("attention_type", v => v.GetString() == "default", "default attention");
        j.Require("addition_embed_type", v => v.GetString() == "text_time", "SDXL text_time added conditioning");
        j.Require("norm_num_groups", v => v.ValueKind == JsonValueKind.Number, "GroupNorm everywhere (norm_num_groups null breaks the ResNet blocks upstream too)");
        // resnet_skip_time_act, resnet_out_scale_factor, cross_attention_norm, mid_block_only_cross_attention and
        // addition_embed_type_num_heads only reach SimpleCrossAttn*/ResnetDownsample* blocks or the "text" added
        // embedding, which are rejected below; class_embeddings_concat only matters with a class embedding; dropout is
        // inactive in eval. They are accepted and have no effect here, exactly as upstream.

        var d = new UNet2DConditionConfig();
        // get_down_block / get_up_block strip a "UNetRes" prefix.
        static string Strip(string t) => t.StartsWith("UNetRes", StringComparison.Ordinal) ? t[7..] : t;
        var down = j.Strings("down_block_types", d.DownBlockTypes).Select(Strip).ToArray();
        var up = j.Strings("up_block_types", d.UpBlockTypes).Select(Strip).ToArray();
        foreach (var t in down)
            if (t is not ("CrossAttnDownBlock2D" or "DownBlock2D"))
                throw new NotSupportedException($"down_block_types: '{t}' is not supported (CrossAttnDownBlock2D, DownBlock2D).");
        foreach (var t in up)
            if (t is not ("CrossAttnUpBlock2D" or "UpBlock2D"))
                throw new NotSupportedException($"up_block_types: '{t}' is not supported (CrossAttnUpBlock2D, UpBlock2D).");
        string? mid = j.Has("mid_block_type") ? j.String("mid_block_type", null)
            : j.Contains("mid_block_type") ? null : d.MidBlockType;
        if (mid is not (null or "UNetMidBlock2DCrossAttn" or "UNetMidBlock2D"))
            throw new NotSupportedException($"mid_block_type: '{mid}' is not supported (UNetMidBlock2DCrossAttn, UNetMidBlock2D, null).");
        int n = down.Length;
        if (up.Length != n) throw new InvalidDataException("up_block_types and down_block_types differ in length.");
        var channels = j.Ints("block_out_channels", d.BlockOutChannels);
        if (channels.Length != n) throw new InvalidDataException("block_out_channels length differs from down_block_types.");
        var layers = j.IntPerBlock("layers_per_block", n, 2);
        var heads = j.IntPerBlock("attention_head_dim", n, 8);
        var downDepth = j.IntPerBlockPerLayer("transformer_layers_per_block", layers, 1);
        var reversedLayers = layers.Reverse().Select(l => l + 1).ToArray();
        int[][] upDepth = j.Has("reverse_transformer_layers_per_block")
            ? j.IntPerBlockPerLayer("reverse_transformer_layers_per_block", reversedLayers, 1)
            : downDepth.Reverse().Select((depths, i) => Enumerable.Repeat(depths.Length > 0 ? depths[0] : 1, reversedLayers[i]).ToArray()).ToArray();
        string? addType = j.String("addition_embed_type", null);
        var onlyCross = j.BoolPerBlock("only_cross_attention", n, false);
        return new UNet2DConditionConfig
        {
            SampleSize = j.IntOrFirst("sample_size", d.SampleSize),
            InChannels = j.Int("in_channels", 4),
            OutChannels = j.Int("out_channels", 4),
            CenterInputSample = j.Bool("center_input_sample", false),
            FlipSinToCos = j.Bool("flip_sin_to_cos", true),
            FreqShift = j.Double("freq_shift", 0),
            DownBlockTypes = down,
            MidBlockType = mid,
            UpBlockTypes = up,
            OnlyCrossAttention = onlyCross,
            BlockOutChannels = channels,
            LayersPerBlock = layers,
            DownsamplePadding = j.Int("downsample_padding", 1),
            MidBlockScaleFactor = j.Double("mid_block_scale_factor", 1.0),
            ActFn = DiffusersActivation.Validate(j.String("act_fn", "silu")!),
            NormNumGroups = j.Int("norm_num_groups", 32),
            NormEps = j.Double("norm_eps", 1e-5),
            CrossAttentionDim = j.IntPerBlock("cross_attention_dim", n, 1280),
            TransformerLayersPerBlock = downDepth,
            UpTransformerLayersPerBlock = upDepth,
            EncoderHidDim = j.OptionalInt("encoder_hid_dim"),
            NumAttentionHeads = heads,
            UseLinearProjection = j.Bool("use_linear_projection", false),
            UpcastAttention = j.Bool("upcast_attention", false),
            ResnetTimeScaleShift = j.String("resnet_time_scale_shift", "default") is "default" or "scale_shift"
                ? j.String("resnet_time_scale_shift", "default")!
                : throw new NotSupportedException($"resnet_time_scale_shift='{j.String("resnet_time_scale_shift", null)}' is not supported (default, scale_shift)."),
            TimeEmbeddingDim = j.OptionalInt("time_embedding_dim"),
            TimeEmbeddingActFn = j.String("time_embedding_act_fn", null) is { } tea ? DiffusersActivation.Validate(tea, "time_embedding_act_fn") : null,
            TimestepPostAct = j.String("timestep_post_act", null) is { } tpa ? DiffusersActivation.Validate(tpa, "timestep_post_act") : null,
            TimeCondProjDim = j.OptionalInt("time_cond_proj_dim"),
            ConvInKernel = j.Int("conv_in_kernel", 3),
            ConvOutKernel = j.Int("conv_out_kernel", 3),
            AdditionEmbedType = addType,
            AdditionTimeEmbedDim = j.OptionalInt("addition_time_embed_dim"),
            ProjectionClassEmbeddingsInputDim = j.OptionalInt("projection_class_embeddings_input_dim"),
        };
    }
}
