using FaceCraft4D.Weights.Scalars;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// Copy-paste latent blending (paper supp. 6.2): z_t ← m ⊙ noised(warped, t) + (1 − m) ⊙ z_t, with a soft visibility
/// mask m ∈ [0, 1] at latent resolution (the caller supplies it, e.g. with a 0.1 boundary band).
/// </summary>
public static class LatentBlender
{
    /// <param name="denoised">[B, C, h, w] the sampler's latent at level t.</param>
    /// <param name="noisedWarped">[B, C, h, w] the warped latent brought to level t.</param>
    /// <param name="mask">[B, 1, h, w] in [0, 1]; 1 = take the warped content.</param>
    public static Tensor Blend(Tensor denoised, Tensor noisedWarped, Tensor mask)
    {
        using var scope = NewDisposeScope();
        return (mask * noisedWarped).Plus((mask.SubtractedFrom(1.0)) * denoised).MoveToOuterDisposeScope();
    }
}
