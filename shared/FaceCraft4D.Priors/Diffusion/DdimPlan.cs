namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// The denoising steps actually run: sampling step i evaluates the model at <see cref="Timesteps"/>[i] and moves the
/// latent to the level of <see cref="NextTimestep"/>(i) (−1 = the final, clean level). Inversion walks the same
/// levels backwards. With strength s and T steps, the last ⌊T·s⌋ steps of the T-step schedule are kept
/// (T = 25, s = 0.4: steps 16..25 of 25, i.e. the latent is noised to the level of the 10th-from-clean step).
/// </summary>
/// <param name="Timesteps">Descending train timesteps of the kept steps.</param>
/// <param name="TotalSteps">T, the length of the full schedule.</param>
public sealed record DdimPlan(int[] Timesteps, int TotalSteps)
{
    public int Count => Timesteps.Length;

    /// <summary>Timestep after step i, or −1 after the last (final alpha level).</summary>
    public int NextTimestep(int i) => i + 1 < Timesteps.Length ? Timesteps[i + 1] : -1;

    /// <summary>Level of trajectory index k (k = Count is the clean end).</summary>
    public int LevelTimestep(int k) => k < Timesteps.Length ? Timesteps[k] : -1;
}
