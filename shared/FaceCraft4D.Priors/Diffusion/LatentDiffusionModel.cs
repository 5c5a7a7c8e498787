using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// A loaded latent diffusion prior (CosmicMan-SD / SD 1.x / 2.x / SDXL in diffusers layout): UNet, VAE, DDIM schedule
/// and the stored prompt conditioning, all on one device and dtype. Owns its modules.
/// </summary>
public sealed class LatentDiffusionModel : IDisposable
{
    public LatentDiffusionModel(string name, UNet2DConditionModel unet, AutoencoderKL vae, DdimScheduler scheduler,
        PromptConditioning conditioning, Device device, ScalarType dtype)
    {
        if (conditioning.EmbeddingDim != unet.Config.CrossAttentionDim[0])
            throw new ArgumentException($"prompt_embeds width {conditioning.EmbeddingDim} differs from the UNet cross_attention_dim {unet.Config.CrossAttentionDim[0]}.");
        if (unet.Config.AdditionEmbedType == "text_time" && (conditioning.PooledPromptEmbeds is null || conditioning.AddTimeIds is null))
            throw new ArgumentException("This SDXL-type UNet needs pooled_prompt_embeds and add_time_ids in prompt_embeds.safetensors.");
        Name = name;
        Unet = unet;
        Vae = vae;
        Scheduler = scheduler;
        Conditioning = conditioning;
        Device = device;
        DType = dtype;
        Unet.eval();
        Vae.eval();
    }

    /// <summary>Model identity recorded in outputs, e.g. <c>cosmicman-sd/v1</c>.</summary>
    public string Name { get; }
    public UNet2DConditionModel Unet { get; }
    public AutoencoderKL Vae { get; }
    public DdimScheduler Scheduler { get; }
    public PromptConditioning Conditioning { get; }
    public Device Device { get; }
    public ScalarType DType { get; }

    public void Dispose()
    {
        Unet.Dispose();
        Vae.Dispose();
        Conditioning.Dispose();
    }
}
