using FaceCraft4D.Priors.Diffusion;
using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Priors.Tests.Support;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Tests.Diffusion;

/// <summary>The config parsers take diffusers constructor kwargs as they are (case.json configs, config.json files).</summary>
public class DiffusersConfigParsingTests
{
    private const string Small = """
        "block_out_channels": [16, 32], "layers_per_block": 1, "cross_attention_dim": 8, "attention_head_dim": [2, 4],
        "norm_num_groups": 4, "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"], "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"]
        """;

    private static readonly Device Meta = new(DeviceType.META);

    private static HashSet<string> Keys(nn.Module m) => m.state_dict().Keys.ToHashSet();

    [Fact]
    public void AttentionHeadDim_IsTheNumberOfHeads_PerBlock()
    {
        var c = UNet2DConditionConfig.Parse("{" + Small + "}");
        Assert.Equal(new[] { 2, 4 }, c.NumAttentionHeads);
        using var unet = new UNet2DConditionModel(c, Meta);
        var sites = unet.AttentionSites();
        Assert.All(sites.Where(s => s.Path.StartsWith("down_blocks.0.")), s => Assert.Equal((2, 8), (s.Module.Heads, s.Module.HeadDim)));
        Assert.All(sites.Where(s => s.Path.StartsWith("mid_block.")), s => Assert.Equal((4, 8), (s.Module.Heads, s.Module.HeadDim)));
    }

    [Fact]
    public void NumAttentionHeads_IsRejectedAsUpstreamDoes()
    {
        var ex = Assert.Throws<NotSupportedException>(() => UNet2DConditionConfig.Parse("{" + Small + """, "num_attention_heads": 2}"""));
        Assert.Contains("num_attention_heads", ex.Message);
    }

    [Theory]
    [InlineData("class_embed_type", "\"timestep\"")]
    [InlineData("time_embedding_type", "\"fourier\"")]
    [InlineData("dual_cross_attention", "true")]
    [InlineData("act_fn", "\"tanh\"")]
    [InlineData("resnet_time_scale_shift", "\"spatial\"")]
    [InlineData("mid_block_type", "\"UNetMidBlock2DSimpleCrossAttn\"")]
    public void UnsupportedKwargs_RaiseNamingTheKwarg(string key, string value)
    {
        var ex = Assert.ThrowsAny<Exception>(() => UNet2DConditionConfig.Parse("{" + Small + $", \"{key}\": {value}}}"));
        Assert.True(ex is NotSupportedException, ex.ToString());
        Assert.Contains(key, ex.Message);
    }

    [Fact]
    public void MidBlockType_NullMeansNoMidBlock_AndUNetMidBlock2DIsOneResnet()
    {
        using var none = new UNet2DConditionModel(UNet2DConditionConfig.Parse("{" + Small + """, "mid_block_type": null}"""), Meta);
        Assert.DoesNotContain(Keys(none), k => k.StartsWith("mid_block.", StringComparison.Ordinal));
        using var plain = new UNet2DConditionModel(UNet2DConditionConfig.Parse("{" + Small + """, "mid_block_type": "UNetMidBlock2D"}"""), Meta);
        var mid = Keys(plain).Where(k => k.StartsWith("mid_block.", StringComparison.Ordinal)).ToList();
        Assert.Contains("mid_block.resnets.0.conv1.weight", mid);
        Assert.DoesNotContain(mid, k => k.StartsWith("mid_block.resnets.1.", StringComparison.Ordinal) || k.Contains(".attentions."));
    }

    [Fact]
    public void ScaleShift_TimeEmbeddingDim_Kernels_AndTextProjection_ShapeTheWeights()
    {
        var c = UNet2DConditionConfig.Parse("{" + Small + """
            , "resnet_time_scale_shift": "scale_shift", "time_embedding_dim": 24, "conv_in_kernel": 1, "conv_out_kernel": 5,
              "encoder_hid_dim": 12, "time_cond_proj_dim": 6, "only_cross_attention": [true, false]}
            """);
        using var unet = new UNet2DConditionModel(c, Meta);
        var sd = unet.state_dict();
        Assert.Equal(new long[] { 2 * 16, 24 }, sd["down_blocks.0.resnets.0.time_emb_proj.weight"].shape);
        Assert.Equal(new long[] { 24, 16 }, sd["time_embedding.linear_1.weight"].shape);
        Assert.Equal(new long[] { 16, 6 }, sd["time_embedding.cond_proj.weight"].shape);
        Assert.Equal(new long[] { 16, 4, 1, 1 }, sd["conv_in.weight"].shape);
        Assert.Equal(new long[] { 4, 16, 5, 5 }, sd["conv_out.weight"].shape);
        Assert.Equal(new long[] { 8, 12 }, sd["encoder_hid_proj.weight"].shape);
        // only_cross_attention: attn1 of the first down block (and, reversed, the last up block) reads the text.
        Assert.Equal(new long[] { 16, 8 }, sd["down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_k.weight"].shape);
        Assert.Equal(new long[] { 16, 8 }, sd["up_blocks.1.attentions.0.transformer_blocks.0.attn1.to_k.weight"].shape);
        Assert.Equal(new long[] { 32, 32 }, sd["mid_block.attentions.0.transformer_blocks.0.attn1.to_k.weight"].shape);
    }

    [Fact]
    public void VaeConfig_MissingKeysTakeAutoencoderKLInitDefaults()
    {
        var c = AutoencoderKLConfig.Parse("{}");
        Assert.Equal(new[] { 64 }, c.BlockOutChannels);
        Assert.Equal((1, 32, 4, 32, "silu"), (c.LayersPerBlock, c.NormNumGroups, c.LatentChannels, c.SampleSize, c.ActFn));
        Assert.True(c.MidBlockAddAttention && c.UseQuantConv && c.UsePostQuantConv);
        var ex = Assert.Throws<NotSupportedException>(() => AutoencoderKLConfig.Parse("""{"down_block_types": ["AttnDownEncoderBlock2D"], "block_out_channels": [8]}"""));
        Assert.Contains("AttnDownEncoderBlock2D", ex.Message);
    }

    [Fact]
    public void VaeEncodeDistribution_IsTheUnscaledPosterior_AndDecodeUnscaledSkipsTheScalingFactor()
    {
        using var vae = new AutoencoderKL(AutoencoderKLConfig.Parse("""{"block_out_channels": [8, 16], "norm_num_groups": 4, "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D"], "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D"]}"""));
        ModuleRandomizer.Randomize(vae, 3);
        vae.eval();
        using var g = new Generator(4, CPU);
        using var image = torch.rand([1, 3, 16, 16], generator: g).Times(2).Minus(1);
        using var _ = torch.inference_mode();
        using var posterior = vae.EncodeDistribution(image);
        using var moments = vae.EncodeMoments(image);
        TensorAssert.Identical(moments[.., ..4], posterior.Mean);
        TensorAssert.Close(moments[.., 4..].Clamped(-30, 20).Times(0.5).exp(), posterior.Std, 1e-6);
        using var scaled = vae.Encode(image);
        TensorAssert.Close(posterior.Mean.Times(vae.Config.ScalingFactor), scaled, 1e-6);
        using var decoded = vae.Decode(scaled);
        using var decodedRaw = vae.DecodeUnscaled(posterior.Mean);
        TensorAssert.Close(decodedRaw, decoded, 1e-4);
    }
}
