using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>How <see cref="LatentDiffusionModelLoader"/> materialises a model folder.</summary>
public sealed class DiffusionLoadOptions
{
    /// <summary>Compute dtype (Float32 on CPU; Float16 is sensible on CUDA). Stored weights are converted.</summary>
    public ScalarType DType { get; set; } = ScalarType.Float32;

    /// <summary>Weight variant to prefer, e.g. "fp16" for <c>diffusion_pytorch_model.fp16.safetensors</c>.</summary>
    public string? Variant { get; set; }

    /// <summary>Name recorded in outputs; default: the last two folder segments (<c>{prior}/{version}</c>).</summary>
    public string? Name { get; set; }
}
