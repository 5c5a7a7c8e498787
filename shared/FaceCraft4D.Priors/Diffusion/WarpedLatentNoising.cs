namespace FaceCraft4D.Priors.Diffusion;

/// <summary>How the warped latent is brought to the noise level of each denoising step for blending.</summary>
public enum WarpedLatentNoising
{
    /// <summary>DDIM-invert the warped latent with the same model and plan and use its trajectory (deterministic, default).</summary>
    DdimInversion,

    /// <summary>Forward process √ᾱ_t·w + √(1−ᾱ_t)·ε with one fixed ε per view drawn from <see cref="MultiViewEnhanceOptions.Seed"/>.</summary>
    ForwardDiffusion,
}
