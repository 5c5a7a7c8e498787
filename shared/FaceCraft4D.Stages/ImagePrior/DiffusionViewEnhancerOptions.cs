using FaceCraft4D.Priors.Diffusion;

namespace FaceCraft4D.Stages.ImagePrior;

/// <summary>Configuration section <c>Fc4d:ImagePrior:Diffusion</c>: the latent diffusion image prior.</summary>
public sealed class DiffusionViewEnhancerOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Fc4d:ImagePrior:Diffusion";

    /// <summary>
    /// The diffusers-layout model folder (config.json files, safetensors, prompt embeddings; see the priors README):
    /// an absolute path, or a path relative to <c>Fc4d:Models:LocalPath</c> (the models container mounted or synced there).
    /// </summary>
    public string Folder { get; set; } = "diffusion/cosmicman/v1";

    /// <summary>Local folder where a model folder from the models container is copied (default: the temp folder's <c>fc4d-models</c>).</summary>
    public string? CacheFolder { get; set; }

    /// <summary>TorchSharp device, e.g. <c>cuda</c> in the GPU image.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Mutual attention, guidance, noising and blending knobs (steps and strength come from the run settings).</summary>
    public MultiViewEnhanceOptions Enhance { get; set; } = new();
}
