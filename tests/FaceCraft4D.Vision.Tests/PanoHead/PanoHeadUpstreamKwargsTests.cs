using System.Text.Json;
using System.Text.Json.Nodes;
using FaceCraft4D.Vision.ShapePrior.PanoHead;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Tests.PanoHead;

/// <summary>The generator built from upstream <c>TriPlaneGenerator</c> kwargs: names, the 2X super-resolution, the camera offset and the ray-draw seam.</summary>
[Collection(GlobalTorchRngCollection.Name)]
public sealed class PanoHeadUpstreamKwargsTests
{
    private const string Kwargs = """
    {
      "z_dim": 8, "c_dim": 25, "w_dim": 512, "img_resolution": 128, "img_channels": 3, "sr_num_fp16_res": 0,
      "mapping_kwargs": { "num_layers": 2, "embed_features": 8, "layer_features": 16 },
      "rendering_kwargs": {
        "image_resolution": 128, "disparity_space_sampling": false, "clamp_mode": "softplus",
        "superresolution_module": "training.superresolution.SuperresolutionHybrid2X", "c_gen_conditioning_zero": false,
        "gpc_reg_prob": 0.7, "c_scale": 1.0, "superresolution_noise_mode": "none", "density_reg": 0.0, "density_reg_p_dist": 0.004,
        "reg_type": "l1", "decoder_lr_mul": 1.0, "decoder_activation": "none", "use_torgb_raw": true, "triplane_size": 8,
        "triplane_depth": 2, "trans_reg": 10, "use_background": true, "sr_antialias": true, "depth_resolution": 4,
        "depth_resolution_importance": 4, "ray_start": 2.25, "ray_end": 3.3, "box_warp": 1, "avg_camera_radius": 2.7,
        "avg_camera_pivot": [0, 0, 0.2]
      },
      "sr_kwargs": { "channel_base": 256, "channel_max": 8, "fused_modconv_default": "inference_only" },
      "channel_base": 256, "channel_max": 8, "num_fp16_res": 0, "conv_clamp": null, "fused_modconv_default": "inference_only"
    }
    """;

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    private static TriGridGenerator Create(PanoHeadConfig config)
    {
        torch.random.manual_seed(3);
        var g = new TriGridGenerator(config);
        using (torch.no_grad())
            foreach (var (name, p) in g.named_parameters())
                if (name.EndsWith("t_mapping.fc1.weight", StringComparison.Ordinal) || name.EndsWith("t_mapping.fc1.bias", StringComparison.Ordinal)) HeldScalarOps.Hold(0.05.ToScalar(), held => p.mul_(held));
        g.eval();
        return g;
    }

    private static Tensor FrontalLabel(int batch)
    {
        // cam2world at (0, 0, 2.7) looking at the origin (OpenCV axes: x right, y down, z forward), normalised intrinsics.
        var label = new float[] { -1, 0, 0, 0, 0, 1, 0, 0, 0, 0, -1, 2.7f, 0, 0, 0, 1, 4.26f, 0, 0.5f, 0, 4.26f, 0.5f, 0, 0, 1 };
        return torch.tensor(label).unsqueeze(0).repeat(batch, 1);
    }

    [Fact]
    public void Kwargs_build_the_2X_generator_with_exactly_the_upstream_state_dict_names()
    {
        var config = PanoHeadConfig.FromInitKwargs(Parse(Kwargs));
        Assert.Equal(SuperResolutionKind.Hybrid2X, config.SuperResolution);
        Assert.Equal((64, 128, 64, 128), (config.SuperResolutionInput, config.SuperResolutionChannels0, config.SuperResolutionChannels1, config.ImageResolution));
        Assert.Null(config.ConvClamp);
        Assert.Equal((8, 16), (config.MappingEmbedFeatures, config.MappingLayerFeatures));
        using var g = Create(config);
        var names = g.state_dict().Keys.ToList();
        Assert.DoesNotContain(names, n => n.Contains('<')); // no compiler backing-field duplicates
        Assert.Contains("superresolution.resample_filter", names);
        Assert.Contains("superresolution.block0.conv0.weight", names);
        Assert.Contains("t_mapping.w_avg", names);
        Assert.Contains("backbone.mapping.embed.weight", names);
        Assert.Equal(new long[] { 8, 25 }, g.state_dict()["backbone.mapping.embed.weight"].shape);
        Assert.Equal(new long[] { 128, 32, 3, 3 }, g.state_dict()["superresolution.block0.conv0.weight"].shape); // no upsampling block
        Assert.Equal(new long[] { 64, 64 }, g.state_dict()["bcg_synthesis.b64.conv1.noise_const"].shape); // background at the SR input size
    }

    [Theory]
    [InlineData("rendering_kwargs", "bogus_option")]
    [InlineData("mapping_kwargs", "mystery")]
    [InlineData("sr_kwargs", "strange")]
    public void An_unknown_kwarg_fails_by_name(string section, string key)
    {
        var node = JsonNode.Parse(Kwargs)!;
        node[section]![key] = 1;
        var ex = Assert.Throws<NotSupportedException>(() => PanoHeadConfig.FromInitKwargs(Parse(node.ToJsonString())));
        Assert.Contains(key, ex.Message);
    }

    [Fact]
    public void Unported_variants_fail_clearly()
    {
        var node = JsonNode.Parse(Kwargs)!;
        node["rendering_kwargs"]!["superresolution_module"] = "training.superresolution.SuperresolutionHybrid4X";
        Assert.Contains("SuperresolutionHybrid4X", Assert.Throws<NotSupportedException>(() => PanoHeadConfig.FromInitKwargs(Parse(node.ToJsonString()))).Message);
        node = JsonNode.Parse(Kwargs)!;
        node["rendering_kwargs"]!["ray_start"] = "auto";
        node["rendering_kwargs"]!["ray_end"] = "auto";
        Assert.Contains("auto", Assert.Throws<NotSupportedException>(() => PanoHeadConfig.FromInitKwargs(Parse(node.ToJsonString()))).Message);
    }

    [Fact]
    public void Non_fused_modulated_convolution_gives_the_fused_render()
    {
        var node = JsonNode.Parse(Kwargs)!;
        node["fused_modconv_default"] = false;
        node["sr_kwargs"]!["fused_modconv_default"] = false;
        var unfusedConfig = PanoHeadConfig.FromInitKwargs(Parse(node.ToJsonString()));
        Assert.False(unfusedConfig.FusedModconv);
        Assert.False(unfusedConfig.SuperResolutionFusedModconv);
        var fusedConfig = PanoHeadConfig.FromInitKwargs(Parse(Kwargs));
        Assert.True(fusedConfig.FusedModconv && fusedConfig.SuperResolutionFusedModconv);
        using var fused = Create(fusedConfig);
        using var unfused = Create(unfusedConfig); // same seed: same weights
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var z = torch.randn(2, 8, generator: new torch.Generator(4));
        var c = FrontalLabel(2);
        var a = fused.Forward(z, c, neuralRenderingResolution: 8, noiseMode: NoiseMode.Const, random: new TorchRayRandomSource(new torch.Generator(9)));
        var b = unfused.Forward(z, c, neuralRenderingResolution: 8, noiseMode: NoiseMode.Const, random: new TorchRayRandomSource(new torch.Generator(9)));
        double scale = a.Image.abs().max().item<float>();
        Assert.True((a.Image - b.Image).abs().max().item<float>() <= 1e-4 * scale, "same image up to rounding");
        Assert.True((a.ImageRaw - b.ImageRaw).abs().max().item<float>() <= 1e-4 * a.ImageRaw.abs().max().item<float>());
    }

    [Fact]
    public void Forward_moves_only_the_camera_translation_and_renders_the_documented_shapes()
    {
        using var g = Create(PanoHeadConfig.FromInitKwargs(Parse(Kwargs)));
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var z = torch.randn(2, 8, generator: new torch.Generator(4));
        var c = FrontalLabel(2);
        var moved = g.ApplyCameraOffset(z, c);
        var changed = (moved - c).abs().sum(new long[] { 0 }).IsGreaterThan(0).nonzero().flatten().data<long>().ToArray();
        Assert.Equal(new long[] { 3, 7, 11 }, changed);

        var render = g.Forward(z, c, neuralRenderingResolution: 8, noiseMode: NoiseMode.Const, random: new TorchRayRandomSource(new torch.Generator(9)));
        Assert.Equal(new long[] { 2, 3, 128, 128 }, render.Image.shape);
        Assert.Equal(new long[] { 2, 3, 8, 8 }, render.ImageRaw.shape);
        Assert.Equal(new long[] { 2, 1, 8, 8 }, render.Depth.shape);
        Assert.True(render.Image.isfinite().all().item<bool>());
    }

    [Fact]
    public void Injected_ray_draws_are_the_ones_used()
    {
        using var g = Create(PanoHeadConfig.FromInitKwargs(Parse(Kwargs)));
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var z = torch.randn(1, 8, generator: new torch.Generator(4));
        var c = FrontalLabel(1);
        var recorder = new RecordingSource(new TorchRayRandomSource(new torch.Generator(21)));
        var first = g.Forward(z, c, neuralRenderingResolution: 8, noiseMode: NoiseMode.Const, random: recorder);
        Assert.Equal(new long[] { 1, 64, 4, 1 }, recorder.StratifiedDraw!.shape);
        Assert.Equal(new long[] { 64, 4 }, recorder.ImportanceDraw!.shape);

        var replay = g.Forward(z, c, neuralRenderingResolution: 8, noiseMode: NoiseMode.Const, random: new FixedSource(recorder.StratifiedDraw, recorder.ImportanceDraw));
        Assert.True(first.ImageRaw.eq(replay.ImageRaw).all().item<bool>() && first.Depth.eq(replay.Depth).all().item<bool>(), "replayed draws reproduce the render");

        var shifted = g.Forward(z, c, neuralRenderingResolution: 8, noiseMode: NoiseMode.Const,
            random: new FixedSource(recorder.StratifiedDraw, HeldScalarOps.Hold(1.ToScalar(), held => recorder.ImportanceDraw.Plus(0.37).remainder(held))));
        Assert.False(first.Depth.eq(shifted.Depth).all().item<bool>(), "the importance draws change the samples");
        var wrong = new FixedSource(recorder.StratifiedDraw.narrow(2, 0, 2), recorder.ImportanceDraw);
        Assert.Throws<ArgumentException>(() => g.Forward(z, c, neuralRenderingResolution: 8, noiseMode: NoiseMode.Const, random: wrong));
    }

    private sealed class RecordingSource(IRayRandomSource inner) : IRayRandomSource
    {
        public Tensor? StratifiedDraw { get; private set; }
        public Tensor? ImportanceDraw { get; private set; }

        public Tensor Stratified(long[] shape, ScalarType dtype, Device device) =>
            (StratifiedDraw = inner.Stratified(shape, dtype, device).DetachFromDisposeScope()).alias();

        public Tensor Importance(long rays, long count, ScalarType dtype, Device device) =>
            (ImportanceDraw = inner.Importance(rays, count, dtype, device).DetachFromDisposeScope()).alias();
    }

    private sealed class FixedSource(Tensor stratified, Tensor importance) : IRayRandomSource
    {
        public Tensor Stratified(long[] shape, ScalarType dtype, Device device) => stratified.alias();
        public Tensor Importance(long rays, long count, ScalarType dtype, Device device) => importance.alias();
    }
}
