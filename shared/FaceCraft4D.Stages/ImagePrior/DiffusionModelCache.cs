using FaceCraft4D.Priors.Diffusion;
using FaceCraft4D.Stages.Models;

namespace FaceCraft4D.Stages.ImagePrior;

/// <summary>
/// Copies a diffusers model folder from the models store (blob container) into a local folder, because the diffusion
/// loader reads files: the single-file layout only (<c>unet/</c> and <c>vae/</c> <c>config.json</c> +
/// <c>diffusion_pytorch_model.safetensors</c>, <c>scheduler/scheduler_config.json</c>, <c>prompt_embeds.safetensors</c>;
/// sharded or variant weights must be in the local models folder). Files the store lacks are skipped (the loader's
/// folder report names them).
/// </summary>
public static class DiffusionModelCache
{
    /// <summary>The files copied, relative to the model folder.</summary>
    public static IReadOnlyList<string> Files { get; } =
    [
        DiffusionModelFolder.UnetConfig, $"unet/{DiffusionModelFolder.WeightsStem}.safetensors",
        DiffusionModelFolder.VaeConfig, $"vae/{DiffusionModelFolder.WeightsStem}.safetensors",
        DiffusionModelFolder.SchedulerConfig, PromptConditioning.FileName,
    ];

    /// <summary>Copies <c>{prefix}/{file}</c> of every file the store has into <paramref name="target"/>; returns how many.</summary>
    public static async Task<int> CopyAsync(ModelStore store, string prefix, string target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        int copied = 0;
        foreach (var file in Files)
        {
            var opened = await store.TryOpenAsync($"{prefix.TrimEnd('/')}/{file}", cancellationToken).ConfigureAwait(false);
            if (opened is null) continue;
            await using var source = opened.Value.Stream;
            var path = Path.Combine(target, file.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await source.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            copied++;
        }
        return copied;
    }
}
