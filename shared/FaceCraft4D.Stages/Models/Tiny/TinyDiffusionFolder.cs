using FaceCraft4D.Priors.Diffusion;
using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Stages.Models.Tiny;

/// <summary>
/// A tiny latent diffusion model folder in the diffusers layout the <c>diffusion</c> image prior loads
/// (shared/FaceCraft4D.Priors/README.md): <c>unet/config.json</c> + <c>diffusion_pytorch_model.safetensors</c> (an SD-1.x-like
/// UNet: cross-attention down block, plain down block, cross-attention mid block, plain + cross-attention up blocks, 32/64
/// channels), <c>vae/</c> (AutoencoderKL 16/32 channels: one downsampling, latent = image / 2), the SD 1.5 scheduler
/// config and <c>prompt_embeds.safetensors</c> ([1, 7, 16] conditional and negative). Weights are seeded random
/// (<see cref="ModuleRandomizer"/>), keyed by diffusers' official names.
/// </summary>
public static class TinyDiffusionFolder
{
    /// <summary>diffusers <c>unet/config.json</c> of the tiny UNet.</summary>
    public const string UnetConfigJson = """
        {
          "_class_name": "UNet2DConditionModel",
          "act_fn": "silu",
          "attention_head_dim": 2,
          "block_out_channels": [32, 64],
          "cross_attention_dim": 16,
          "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
          "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"],
          "layers_per_block": 1,
          "norm_num_groups": 8,
          "sample_size": 8,
          "in_channels": 4,
          "out_channels": 4
        }
        """;

    /// <summary>diffusers <c>vae/config.json</c> of the tiny autoencoder.</summary>
    public const string VaeConfigJson = """
        {
          "_class_name": "AutoencoderKL",
          "block_out_channels": [16, 32],
          "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D"],
          "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D"],
          "latent_channels": 4,
          "layers_per_block": 1,
          "norm_num_groups": 8,
          "sample_size": 32,
          "scaling_factor": 0.18215
        }
        """;

    /// <summary>Stable Diffusion 1.5's <c>scheduler/scheduler_config.json</c> (the DDIM plan reads betas and offsets from it).</summary>
    public const string SchedulerConfigJson = """
        {
          "_class_name": "PNDMScheduler",
          "_diffusers_version": "0.6.0",
          "beta_end": 0.012,
          "beta_schedule": "scaled_linear",
          "beta_start": 0.00085,
          "num_train_timesteps": 1000,
          "set_alpha_to_one": false,
          "skip_prk_steps": true,
          "steps_offset": 1,
          "trained_betas": null,
          "clip_sample": false
        }
        """;

    /// <summary>Writes the folder (created if needed; files overwritten).</summary>
    public static async Task WriteAsync(string folder, long seed, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.Combine(folder, "unet"));
        Directory.CreateDirectory(Path.Combine(folder, "vae"));
        Directory.CreateDirectory(Path.Combine(folder, "scheduler"));
        await File.WriteAllTextAsync(Path.Combine(folder, "unet", "config.json"), UnetConfigJson, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(folder, "vae", "config.json"), VaeConfigJson, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(folder, "scheduler", "scheduler_config.json"), SchedulerConfigJson, cancellationToken).ConfigureAwait(false);

        using (var unet = new UNet2DConditionModel(UNet2DConditionConfig.Parse(UnetConfigJson)))
        {
            ModuleRandomizer.Randomize(unet, seed);
            await SafeTensorsWriter.WriteStateDictAsync(Path.Combine(folder, "unet", "diffusion_pytorch_model.safetensors"), unet, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        using (var vae = new AutoencoderKL(AutoencoderKLConfig.Parse(VaeConfigJson)))
        {
            ModuleRandomizer.Randomize(vae, seed + 1);
            await SafeTensorsWriter.WriteStateDictAsync(Path.Combine(folder, "vae", "diffusion_pytorch_model.safetensors"), vae, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        using var generator = new Generator((ulong)(seed + 2), CPU);
        using var prompt = torch.randn([1, 7, 16], generator: generator);      // [1, tokens, cross_attention_dim]
        using var negative = torch.randn([1, 7, 16], generator: generator);
        await SafeTensorsWriter.WriteAsync(Path.Combine(folder, PromptConditioning.FileName), new Dictionary<string, Tensor>
        {
            ["prompt_embeds"] = prompt,
            ["negative_prompt_embeds"] = negative,
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
