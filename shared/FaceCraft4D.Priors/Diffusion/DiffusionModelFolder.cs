namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// Layout of a latent-diffusion model folder <c>models/{prior}/{version}/</c> (the diffusers layout):
/// <c>unet/config.json</c>, <c>unet/diffusion_pytorch_model[.fp16].safetensors</c> (or a
/// <c>.safetensors.index.json</c> with shards), the same under <c>vae/</c>, <c>scheduler/scheduler_config.json</c>
/// and <c>prompt_embeds.safetensors</c>.
/// </summary>
public static class DiffusionModelFolder
{
    public const string UnetConfig = "unet/config.json";
    public const string VaeConfig = "vae/config.json";
    public const string SchedulerConfig = "scheduler/scheduler_config.json";
    public const string WeightsStem = "diffusion_pytorch_model";

    /// <summary>Candidate weight files for a sub-model, in order of preference.</summary>
    public static IReadOnlyList<string> WeightCandidates(string subfolder, string? variant)
    {
        var names = new List<string>();
        if (!string.IsNullOrEmpty(variant))
        {
            names.Add($"{subfolder}/{WeightsStem}.{variant}.safetensors");
            names.Add($"{subfolder}/{WeightsStem}.safetensors.index.{variant}.json");
        }
        names.Add($"{subfolder}/{WeightsStem}.safetensors");
        names.Add($"{subfolder}/{WeightsStem}.safetensors.index.json");
        return names;
    }

    /// <summary>Checks the folder without reading weights.</summary>
    public static ModelFolderReport Inspect(string folder, string? variant = null)
    {
        var found = new List<string>();
        var missing = new List<string>();
        if (!Directory.Exists(folder)) return new ModelFolderReport(folder, found, [$"the folder itself ({folder})"]);
        void Single(string rel)
        {
            if (File.Exists(Path.Combine(folder, rel))) found.Add(rel); else missing.Add(rel);
        }
        void OneOf(IReadOnlyList<string> rels)
        {
            var hit = rels.FirstOrDefault(r => File.Exists(Path.Combine(folder, r)));
            if (hit is not null) found.Add(hit); else missing.Add(string.Join(" or ", rels));
        }
        Single(UnetConfig);
        OneOf(WeightCandidates("unet", variant));
        Single(VaeConfig);
        OneOf(WeightCandidates("vae", variant));
        Single(SchedulerConfig);
        Single(PromptConditioning.FileName);
        return new ModelFolderReport(folder, found, missing);
    }
}
