using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// SDXL "text_time" added conditioning: pooled text embedding [B, 1280] and time ids [B, 6]
/// (original size h, w; crop top, left; target size h, w).
/// </summary>
public sealed record SdxlAddedConditions(Tensor TextEmbeds, Tensor TimeIds);
