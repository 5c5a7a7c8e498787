using FaceCraft4D.Parity.Tests.Harness;
using FaceCraft4D.Priors.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Modules.Diffusion;

/// <summary>
/// diffusers <c>AutoencoderKL(**config)</c>: <c>encode(image).latent_dist</c> → mean and std (unscaled), and
/// <c>decode(latent).sample</c> of an independent latent, no scaling factor. Config through the production parser,
/// weights through the production VAE loader.
/// </summary>
public sealed class AutoencoderKLParityModule : IParityModule
{
    public string Module => "diffusers.autoencoder_kl";

    public async Task<IReadOnlyDictionary<string, Tensor>> RunAsync(ParityCase parityCase, CancellationToken cancellationToken)
    {
        var config = AutoencoderKLConfig.Parse(parityCase.Config.GetRawText(), $"{parityCase.Id} config");
        using var vae = await LatentDiffusionModelLoader.LoadVaeAsync(config, parityCase.WeightsPath, CPU, cancellationToken);
        using var noGrad = torch.no_grad();
        var outputs = new Dictionary<string, Tensor>();
        if (parityCase.HasInput("image"))
        {
            using var posterior = vae.EncodeDistribution(parityCase.Input("image"));
            outputs["out.latent_mean"] = posterior.Mean.clone();
            outputs["out.latent_std"] = posterior.Std.clone();
        }
        if (parityCase.HasInput("latent"))
            outputs["out.decoded"] = vae.DecodeUnscaled(parityCase.Input("latent"));
        return outputs;
    }
}
