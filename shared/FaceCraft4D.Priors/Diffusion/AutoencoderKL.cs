using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// Port of diffusers <c>AutoencoderKL</c> (keys <c>encoder.*</c>, <c>quant_conv</c>, <c>post_quant_conv</c>,
/// <c>decoder.*</c>). <see cref="Encode"/> returns the scaled posterior mean (deterministic), <see cref="Decode"/>
/// the image; both work in the diffusion model's latent convention (× scaling_factor). <see cref="EncodeDistribution"/>
/// and <see cref="DecodeUnscaled"/> are diffusers' <c>encode(x).latent_dist</c> and <c>decode(z).sample</c> as they are,
/// without scaling.
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

    /// <summary>Encoder moments after <c>quant_conv</c>: [B, 3, H, W] → [B, 2·latent, H/f, W/f] (mean, log-variance).</summary>
    public Tensor EncodeMoments(Tensor images)
    {
        using var scope = NewDisposeScope();
        var moments = encoder.forward(images);
        if (quant_conv is not null) moments = quant_conv.forward(moments);
        return moments.MoveToOuterDisposeScope();
    }

    /// <summary>diffusers <c>encode(images).latent_dist</c>: the unscaled posterior.</summary>
    /// <param name="images">[B, in, H, W] in [-1, 1]</param>
    public DiagonalGaussianLatent EncodeDistribution(Tensor images)
    {
        using var moments = EncodeMoments(images);
        return DiagonalGaussianLatent.FromMoments(moments);
    }

    /// <param name="images">[B, 3, H, W] in [-1, 1]; H, W multiples of the downsample factor.</param>
    /// <returns>Scaled latents [B, latent, H/f, W/f] = (posterior mean − shift) · scaling_factor.</returns>
    public Tensor Encode(Tensor images)
    {
        using var scope = NewDisposeScope();
        var mean = EncodeMoments(images).chunk(2, 1)[0];
        if (Config.ShiftFactor is double shift) mean = mean.Minus(shift);
        return mean.Times(Config.ScalingFactor).MoveToOuterDisposeScope();
    }

    /// <summary>diffusers <c>decode(z).sample</c>: <c>post_quant_conv</c> then the decoder, no scaling.</summary>
    /// <param name="z">Unscaled latents [B, latent, h, w].</param>
    /// <returns>[B, out, h·f, w·f]</returns>
    public Tensor DecodeUnscaled(Tensor z)
    {
        using var scope = NewDisposeScope();
        if (post_quant_conv is not null) z = post_quant_conv.forward(z);
        return decoder.forward(z).MoveToOuterDisposeScope();
    }

    /// <param name="latents">Scaled latents [B, latent, h, w].</param>
    /// <returns>[B, 3, h·f, w·f], nominally in [-1, 1] (not clamped).</returns>
    public Tensor Decode(Tensor latents)
    {
        using var scope = NewDisposeScope();
        var z = latents.DividedBy(Config.ScalingFactor);
        if (Config.ShiftFactor is double shift) z = z.Plus(shift);
        return DecodeUnscaled(z).MoveToOuterDisposeScope();
    }
}
