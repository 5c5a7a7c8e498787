using FaceCraft4D.Priors.Diffusion;
using FaceCraft4D.Priors.LivePortrait;
using FaceCraft4D.Priors.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Tests.Support;

/// <summary>Tiny configurations with the real block structure, small enough for CPU tests.</summary>
public static class TinyModels
{
    /// <summary>SD-1.x-like: cross-attention down block, plain down block, cross-attention mid, plain + cross-attention up blocks.</summary>
    public static UNet2DConditionConfig SdUnet() => new()
    {
        SampleSize = 8,
        BlockOutChannels = [32, 64],
        LayersPerBlock = [1, 1],
        DownBlockTypes = ["CrossAttnDownBlock2D", "DownBlock2D"],
        UpBlockTypes = ["UpBlock2D", "CrossAttnUpBlock2D"],
        NormNumGroups = 8,
        CrossAttentionDim = [16, 16],
        NumAttentionHeads = [2, 2],
        TransformerLayersPerBlock = [[1], [1]],
        UpTransformerLayersPerBlock = [[1, 1], [1, 1]],
    };

    /// <summary>SDXL-like: linear projections, two-deep transformers, "text_time" added conditioning.</summary>
    public static UNet2DConditionConfig SdxlUnet() => new()
    {
        SampleSize = 8,
        BlockOutChannels = [32, 64],
        LayersPerBlock = [1, 1],
        DownBlockTypes = ["DownBlock2D", "CrossAttnDownBlock2D"],
        UpBlockTypes = ["CrossAttnUpBlock2D", "UpBlock2D"],
        NormNumGroups = 8,
        CrossAttentionDim = [24, 24],
        NumAttentionHeads = [2, 4],
        TransformerLayersPerBlock = [[1], [2]],
        UpTransformerLayersPerBlock = [[2, 2], [1, 1]],
        UseLinearProjection = true,
        AdditionEmbedType = "text_time",
        AdditionTimeEmbedDim = 8,
        ProjectionClassEmbeddingsInputDim = 12 + 6 * 8,
    };

    public static AutoencoderKLConfig Vae() => new() { BlockOutChannels = [16, 32], LayersPerBlock = 1, NormNumGroups = 8, SampleSize = 32 };

    public static UNet2DConditionModel CreateUnet(UNet2DConditionConfig config, long seed)
    {
        var m = new UNet2DConditionModel(config);
        ModuleRandomizer.Randomize(m, seed);
        m.eval();
        return m;
    }

    public static AutoencoderKL CreateVae(long seed)
    {
        var m = new AutoencoderKL(Vae());
        ModuleRandomizer.Randomize(m, seed);
        m.eval();
        return m;
    }

    public static PromptConditioning Conditioning(long seed, long dim = 16, bool negative = true)
    {
        using var g = new Generator((ulong)seed, CPU);
        return new PromptConditioning(torch.randn([1, 7, dim], generator: g),
            negative ? torch.randn([1, 7, dim], generator: g) : null);
    }

    /// <summary>A complete tiny latent diffusion model (VAE factor 2, latent 4 channels).</summary>
    public static LatentDiffusionModel DiffusionModel(long seed = 1)
        => new("tiny/test", CreateUnet(SdUnet(), seed), CreateVae(seed + 1), new DdimScheduler(DdimSchedulerConfig.StableDiffusion()),
            Conditioning(seed + 2), CPU, ScalarType.Float32);

    public static LivePortraitConfig LivePortrait() => new()
    {
        AppearanceFeatureExtractor = new AppearanceFeatureExtractorConfig(3, 8, 2, 32, 4, 8, 2),
        MotionExtractor = new MotionExtractorConfig(5, [1, 1, 2, 1], [8, 16, 16, 24], 66),
        WarpingModule = new WarpingModuleConfig(5, 8, 32, 2, 4, true, new DenseMotionConfig(4, 16, 2, 8, 2)),
        SpadeGenerator = new SpadeGeneratorConfig(2, 8, 32, 2),
        Stitching = new StitchingMlpConfig(30, [16, 8], 17),
        Lip = new StitchingMlpConfig(17, [16], 15),
        Eye = new StitchingMlpConfig(18, [16, 8], 15),
    };
}
