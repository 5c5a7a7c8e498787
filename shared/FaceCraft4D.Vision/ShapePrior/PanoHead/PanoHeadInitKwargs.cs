using System.Text.Json;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>
/// <see cref="PanoHeadConfig"/> from upstream <c>TriPlaneGenerator(**init_kwargs)</c> (the checkpoint's <c>init_kwargs</c>
/// as JSON): every constructor argument either sets the port or, where the port has no such variant, fails with
/// <see cref="NotSupportedException"/> naming it. Defaults are upstream's where a kwarg is absent.
/// </summary>
public sealed partial record PanoHeadConfig
{
    // Read by training only (regularisers, the visualiser's orbit); no effect on the forward pass.
    private static readonly HashSet<string> TrainingOnlyRenderingKeys = new(StringComparer.Ordinal)
    {
        "image_resolution", "gpc_reg_prob", "density_reg", "density_reg_p_dist", "reg_type", "trans_reg", "avg_camera_radius",
        "avg_camera_pivot", "density_reg_every",
    };

    /// <summary>Builds the configuration from upstream constructor kwargs.</summary>
    /// <exception cref="NotSupportedException">A kwarg asks for something the port does not have.</exception>
    public static PanoHeadConfig FromInitKwargs(JsonElement kwargs)
    {
        var top = new KwargReader(kwargs, "TriPlaneGenerator");
        int wDim = top.Int("w_dim");
        if (wDim != 512) throw new NotSupportedException($"w_dim {wDim}: the upstream super-resolution modules hard-code w_dim=512.");
        int imgChannels = top.Int("img_channels");
        if (imgChannels != 3) throw new NotSupportedException($"img_channels {imgChannels}: the super-resolution modules make 3 channels.");
        int srFp16 = top.Int("sr_num_fp16_res", 0);

        var mapping = new KwargReader(top.Object("mapping_kwargs"), "mapping_kwargs");
        int mappingLayers = mapping.Int("num_layers", 8);
        int? embed = mapping.NullableInt("embed_features");
        int? layer = mapping.NullableInt("layer_features");
        mapping.Require("activation", "lrelu");
        if (mapping.Has("w_avg_beta") && mapping.IsNull("w_avg_beta")) throw new NotSupportedException("mapping_kwargs.w_avg_beta null (no tracked w_avg) is not ported.");
        mapping.Consume("w_avg_beta"); // training-time decay only
        mapping.EnsureAllConsumed();

        var r = new KwargReader(top.Object("rendering_kwargs"), "rendering_kwargs");
        var srName = r.String("superresolution_module");
        var (kind, srInput, sr0, sr1, srOut) = srName.Split('.')[^1] switch
        {
            "SuperresolutionHybrid8XDC" => (SuperResolutionKind.Hybrid8XDC, 128, 256, 128, 512),
            "SuperresolutionHybrid2X" => (SuperResolutionKind.Hybrid2X, 64, 128, 64, 128),
            _ => throw new NotSupportedException($"rendering_kwargs.superresolution_module '{srName}' is not ported (8XDC and 2X are)."),
        };
        int imgResolution = top.Int("img_resolution");
        if (imgResolution != srOut) throw new NotSupportedException($"img_resolution {imgResolution}: {srName} makes {srOut} px.");
        r.Require("clamp_mode", "softplus");
        if (r.Has("ray_start") && r.Raw("ray_start").ValueKind == JsonValueKind.String)
            throw new NotSupportedException("rendering_kwargs.ray_start/ray_end 'auto' (box-clipped rays) is not ported.");
        if (r.Double("density_noise", 0) > 0) throw new NotSupportedException("rendering_kwargs.density_noise > 0 (training-time density noise) is not ported.");
        var config = new PanoHeadConfig
        {
            ZDim = top.Int("z_dim"),
            CDim = top.Int("c_dim"),
            WDim = wDim,
            ImageResolution = imgResolution,
            MappingLayers = mappingLayers,
            MappingEmbedFeatures = embed,
            MappingLayerFeatures = layer,
            ChannelBase = top.Int("channel_base", 32768),
            ChannelMax = top.Int("channel_max", 512),
            ConvClamp = top.Has("conv_clamp") ? top.NullableDouble("conv_clamp") : 256,
            TriplaneSize = r.Int("triplane_size"),
            TriplaneDepth = r.Int("triplane_depth"),
            TriplaneChannels = 32,
            DecoderHidden = 64,
            DecoderLrMultiplier = r.Double("decoder_lr_mul", 1),
            DecoderActivation = r.String("decoder_activation"),
            UseTorgbRaw = r.Bool("use_torgb_raw", false),
            UseBackground = r.Bool("use_background", false),
            SuperResolution = kind,
            SuperResolutionAntialias = r.Bool("sr_antialias"),
            SuperResolutionNoise = r.String("superresolution_noise_mode") switch
            {
                "none" => NoiseMode.None,
                "random" => NoiseMode.Random,
                "const" => NoiseMode.Const,
                var other => throw new NotSupportedException($"rendering_kwargs.superresolution_noise_mode '{other}'."),
            },
            SuperResolutionInput = srInput,
            SuperResolutionChannels0 = sr0,
            SuperResolutionChannels1 = sr1,
            SuperResolutionConvClamp = srFp16 > 0 ? 256 : null,
            NeuralRenderingResolution = 64,
            DepthResolution = r.Int("depth_resolution"),
            DepthResolutionImportance = r.Int("depth_resolution_importance"),
            RayStart = r.Double("ray_start"),
            RayEnd = r.Double("ray_end"),
            BoxWarp = r.Double("box_warp"),
            DisparitySpaceSampling = r.Bool("disparity_space_sampling"),
            WhiteBackground = r.Bool("white_back", false),
            TriplaneCrop = 0.1,
            CScale = r.Double("c_scale", 0),
            CGenConditioningZero = r.Bool("c_gen_conditioning_zero"),
        };
        if (config.DecoderActivation is not ("none" or "sigmoid" or "lrelu"))
            throw new NotSupportedException($"rendering_kwargs.decoder_activation '{config.DecoderActivation}'.");
        foreach (var key in TrainingOnlyRenderingKeys) r.Consume(key);
        r.EnsureAllConsumed();

        // SR kwargs: upstream ignores channel_base / channel_max / num_fp16_res / conv_clamp there; the rest go to its blocks.
        var sr = new KwargReader(top.Object("sr_kwargs"), "sr_kwargs");
        foreach (var ignored in new[] { "channel_base", "channel_max", "num_fp16_res", "conv_clamp" }) sr.Consume(ignored);
        bool srFused = BlockKwargs(sr);
        sr.EnsureAllConsumed();

        // Synthesis kwargs (backbone and background): num_fp16_res only picks fp16 on CUDA; the CPU path runs fp32.
        top.Consume("num_fp16_res");
        bool fused = BlockKwargs(top);
        top.EnsureAllConsumed();
        return config with { FusedModconv = fused, SuperResolutionFusedModconv = srFused };
    }

    /// <summary>Checks the synthesis-block kwargs; returns whether the blocks fuse the modulated convolution in eval.</summary>
    private static bool BlockKwargs(KwargReader reader)
    {
        bool fused = true; // upstream default True
        if (reader.Has("fused_modconv_default"))
        {
            var v = reader.Raw("fused_modconv_default");
            fused = v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.String when v.GetString() == "inference_only" => true, // not training
                _ => throw new NotSupportedException($"{reader.Where}.fused_modconv_default {v}."),
            };
            reader.Consume("fused_modconv_default");
        }
        reader.Require("architecture", "skip");
        if (reader.Has("resample_filter"))
        {
            var taps = reader.Raw("resample_filter").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            if (!taps.SequenceEqual(new double[] { 1, 3, 3, 1 })) throw new NotSupportedException($"{reader.Where}.resample_filter [{string.Join(", ", taps)}].");
            reader.Consume("resample_filter");
        }
        return fused;
    }

    /// <summary>Reads kwargs by name and remembers which were read, so leftovers can be reported.</summary>
    private sealed class KwargReader(JsonElement element, string where)
    {
        private readonly HashSet<string> consumed = new(StringComparer.Ordinal);

        public string Where => where;

        public bool Has(string key) => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(key, out _);

        public bool IsNull(string key) => Raw(key).ValueKind == JsonValueKind.Null;

        public void Consume(string key) => consumed.Add(key);

        public JsonElement Raw(string key) => element.TryGetProperty(key, out var v) ? v : throw new KeyNotFoundException($"{where}.{key} is required.");

        private JsonElement Take(string key)
        {
            consumed.Add(key);
            return Raw(key);
        }

        public JsonElement Object(string key) => Has(key) ? Take(key) : JsonDocument.Parse("{}").RootElement;

        public int Int(string key) => Take(key).GetInt32();

        public int Int(string key, int fallback) => Has(key) ? Int(key) : fallback;

        public int? NullableInt(string key) => !Has(key) || IsNull(key) ? Mark(key) : Int(key);

        public double? NullableDouble(string key) => IsNull(key) ? Mark(key) : Double(key);

        public double Double(string key) => Take(key).GetDouble();

        public double Double(string key, double fallback) => Has(key) ? Double(key) : fallback;

        public bool Bool(string key) => Take(key).GetBoolean();

        public bool Bool(string key, bool fallback) => Has(key) ? Bool(key) : fallback;

        public string String(string key) => Take(key).GetString() ?? throw new NotSupportedException($"{where}.{key} is null.");

        public void Require(string key, string value)
        {
            if (!Has(key)) return;
            var actual = Take(key).ToString();
            if (actual != value) throw new NotSupportedException($"{where}.{key} '{actual}': only '{value}' is ported.");
        }

        public void EnsureAllConsumed()
        {
            if (element.ValueKind != JsonValueKind.Object) return;
            var left = element.EnumerateObject().Select(p => p.Name).Where(n => !consumed.Contains(n)).ToList();
            if (left.Count > 0) throw new NotSupportedException($"{where}: unsupported kwarg(s) {string.Join(", ", left)}.");
        }

        private int? Mark(string key)
        {
            consumed.Add(key);
            return null;
        }
    }
}
