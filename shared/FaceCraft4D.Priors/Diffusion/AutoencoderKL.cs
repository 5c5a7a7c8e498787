using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// Port of diffusers <c>AutoencoderKL</c> (keys <c>encoder.*</c>, <c>quant_conv</c>, <c>post_quant_conv</c>,
/// <c>decoder.*</c>). <see cref="Encode"/> returns the scaled posterior mean (deterministic), <see cref="Decode"/>
/// the image; both work in the diffusion model's latent convention (× scaling_factor).
/// </summary>
public sealed class AutoencoderKL : nn.Module
{
    private readonly VaeEncoder encoder;
    private readonly VaeDecoder decoder;
    private readonly Conv2d? quant_conv;
    private readonly Conv2d? post_quant_conv;

    public AutoencoderKL(AutoencoderKLConfig config, Device? device = null) : base(nameof(AutoencoderKL))
    {
        Config = config;
        encoder = new VaeEncoder(config, device);
        decoder = new VaeDecoder(config, device);
        register_module(nameof(encoder), encoder);
        register_module(nameof(decoder), decoder);
        if (config.UseQuantConv)
        {
            quant_conv = nn.Conv2d(2L * config.LatentChannels, 2L * config.LatentChannels, 1, device: device);
            register_module(nameof(quant_conv), quant_conv);
        }
        if (config.UsePostQuantConv)
        {
            post_quant_conv = nn.Conv2d(config.LatentChannels, config.LatentChannels, 1, device: device);
            register_module(nameof(post_quant_conv), post_quant_conv);
        }
    }

    public AutoencoderKLConfig Config { get; }

    /// <param name="images">[B, 3, H, W] in [-1, 1]; H, W multiples of the downsample factor.</param>
    /// <returns>Scaled latents [B, latent, H/f, W/f] = (posterior mean − shift) · scaling_factor.</returns>
    public Tensor Encode(Tensor images)
    {
        using var scope = NewDisposeScope();
        var moments = encoder.forward(images);
        if (quant_conv is not null) moments = quant_conv.forward(moments);
        var mean = moments.chunk(2, 1)[0];
        if (Config.ShiftFactor is double shift) mean = mean - shift;
        return (mean * Config.ScalingFactor).MoveToOuterDisposeScope();
    }

    /// <param name="latents">Scaled latents [B, latent, h, w].</param>
    /// <returns>[B, 3, h·f, w·f], nominally in [-1, 1] (not clamped).</returns>
    public Tensor Decode(Tensor latents)
    {
        using var scope = NewDisposeScope();
        var z = latents / Config.ScalingFactor;
        if (Config.ShiftFactor is double shift) z = z + shift;
        if (post_quant_conv is not null) z = post_quant_conv.forward(z);
        return decoder.forward(z).MoveToOuterDisposeScope();
    }
}
