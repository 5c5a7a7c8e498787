using System.Text.Json;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>Configuration of <see cref="AutoencoderKL"/>, read from a diffusers <c>vae/config.json</c>.</summary>
public sealed record AutoencoderKLConfig
{
    public int InChannels { get; init; } = 3;
    public int OutChannels { get; init; } = 3;
    public int LatentChannels { get; init; } = 4;
    public int[] BlockOutChannels { get; init; } = [128, 256, 512, 512];
    public int LayersPerBlock { get; init; } = 2;
    public int NormNumGroups { get; init; } = 32;
    /// <summary>diffusers activation of the ResNet blocks (<see cref="DiffusersActivation"/>); the encoder and decoder output heads always use SiLU, as diffusers hard-codes.</summary>
    public string ActFn { get; init; } = "silu";
    public int SampleSize { get; init; } = 512;
    /// <summary>Latents are multiplied by this after encoding (SD 0.18215, SDXL 0.13025).</summary>
    public double ScalingFactor { get; init; } = 0.18215;
    /// <summary>Subtracted before scaling (null for SD/SDXL).</summary>
    public double? ShiftFactor { get; init; }
    public bool MidBlockAddAttention { get; init; } = true;
    public bool UseQuantConv { get; init; } = true;
    public bool UsePostQuantConv { get; init; } = true;

    /// <summary>Pixel-to-latent downsampling factor (8 for four blocks).</summary>
    public int DownsampleFactor => 1 << (BlockOutChannels.Length - 1);

    /// <summary>stable-diffusion-v1-5 <c>vae/config.json</c>.</summary>
    public static AutoencoderKLConfig StableDiffusion() => new();

    /// <summary>stable-diffusion-xl-base-1.0 <c>vae/config.json</c>.</summary>
    public static AutoencoderKLConfig StableDiffusionXL() => new() { ScalingFactor = 0.13025, SampleSize = 1024 };

    public static async Task<AutoencoderKLConfig> LoadAsync(string path, CancellationToken cancellationToken = default)
        => FromJson(await DiffusersJson.LoadAsync(path, cancellationToken).ConfigureAwait(false));

    public static AutoencoderKLConfig Parse(string json, string source = "config.json") => FromJson(DiffusersJson.Parse(json, source));

    /// <remarks>
    /// Missing keys take the defaults of diffusers' <c>AutoencoderKL.__init__</c> (one 64-channel block, one layer,
    /// sample 32), so a config holds exactly what the upstream constructor would build. <c>latents_mean</c>,
    /// <c>latents_std</c> and <c>force_upcast</c> are pipeline hints that do not change the model and are accepted.
    /// </remarks>
    private static AutoencoderKLConfig FromJson(DiffusersJson j)
    {
        var channels = j.Ints("block_out_channels", [64]);
        var down = j.Strings("down_block_types", ["DownEncoderBlock2D"]);
        var up = j.Strings("up_block_types", ["UpDecoderBlock2D"]);
        foreach (var t in down)
            if (t != "DownEncoderBlock2D") throw new NotSupportedException($"vae down_block_types: '{t}' is not supported (DownEncoderBlock2D).");
        foreach (var t in up)
            if (t != "UpDecoderBlock2D") throw new NotSupportedException($"vae up_block_types: '{t}' is not supported (UpDecoderBlock2D).");
        if (down.Length != channels.Length || up.Length != channels.Length)
            throw new InvalidDataException("vae down_block_types/up_block_types must have one entry per block_out_channels entry.");
        return new AutoencoderKLConfig
        {
            InChannels = j.Int("in_channels", 3),
            OutChannels = j.Int("out_channels", 3),
            LatentChannels = j.Int("latent_channels", 4),
            BlockOutChannels = channels,
            LayersPerBlock = j.Int("layers_per_block", 1),
            NormNumGroups = j.Int("norm_num_groups", 32),
            ActFn = DiffusersActivation.Validate(j.String("act_fn", "silu")!),
            SampleSize = j.IntOrFirst("sample_size", 32),
            ScalingFactor = j.Double("scaling_factor", 0.18215),
            ShiftFactor = j.OptionalDouble("shift_factor"),
            MidBlockAddAttention = j.Bool("mid_block_add_attention", true),
            UseQuantConv = j.Bool("use_quant_conv", true),
            UsePostQuantConv = j.Bool("use_post_quant_conv", true),
        };
    }
}
