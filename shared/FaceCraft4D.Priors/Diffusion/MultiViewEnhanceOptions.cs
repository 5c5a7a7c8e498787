namespace FaceCraft4D.Priors.Diffusion;

/// <summary>Tunables of <see cref="MultiViewDiffusionEnhancer"/> (bind from configuration section "Priors:Diffusion:Enhance").</summary>
public sealed class MultiViewEnhanceOptions
{
    /// <summary>Length T of the DDIM schedule.</summary>
    public int Steps { get; set; } = 25;

    /// <summary>Fraction of the schedule re-run: the inputs are inverted to step ⌊T·strength⌋ from clean (0.4 → 10 of 25).</summary>
    public double Strength { get; set; } = 0.4;

    /// <summary>Classifier-free guidance scale; ≤ 1 runs the conditional branch only (needs no negative embeddings).</summary>
    public double GuidanceScale { get; set; } = 1.0;

    /// <summary>Cross-view mutual attention switch and placement.</summary>
    public MutualAttentionOptions MutualAttention { get; set; } = new();

    /// <summary>How the warped latents are noised for blending.</summary>
    public WarpedLatentNoising WarpedNoising { get; set; } = WarpedLatentNoising.DdimInversion;

    /// <summary>Fraction of the denoising steps (from the first) after which blending is applied; 1 = every step.</summary>
    public double BlendStepFraction { get; set; } = 1.0;

    /// <summary>Seed of the fixed noise used by <see cref="WarpedLatentNoising.ForwardDiffusion"/>.</summary>
    public long Seed { get; set; }

    public void Validate()
    {
        if (Steps < 1) throw new ArgumentOutOfRangeException(nameof(Steps), "Steps must be ≥ 1.");
        if (Strength is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(Strength), "Strength must be in (0, 1].");
        if (BlendStepFraction is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(BlendStepFraction), "BlendStepFraction must be in [0, 1].");
        if ((int)(Steps * Strength) < 1) throw new ArgumentOutOfRangeException(nameof(Strength), "Steps × Strength keeps no step.");
    }
}
