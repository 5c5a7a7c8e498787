namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// Run-time state shared by the <see cref="MutualSelfAttentionProcessor"/>s of one UNet: the options, the current
/// denoising step, whether the current pass is a sampling pass (inversion passes use plain attention) and how many
/// guidance groups the batch holds (1, or 2 with classifier-free guidance: [uncond views…, cond views…], each group
/// starting with its reference).
/// </summary>
public sealed class MutualAttentionController
{
    public MutualAttentionController(MutualAttentionOptions options) => Options = options;

    public MutualAttentionOptions Options { get; set; }

    /// <summary>Index of the denoising step being evaluated.</summary>
    public int CurrentStep { get; set; }

    /// <summary>True while evaluating a sampling (denoising) pass.</summary>
    public bool SamplingPass { get; set; }

    /// <summary>Number of groups the batch is split into; the first item of every group is that group's reference.</summary>
    public int BatchGroups { get; set; } = 1;

    /// <summary>Whether the module at <paramref name="path"/> should use mutual attention now.</summary>
    public bool IsActive(string path)
    {
        var o = Options;
        if (!o.Enabled || !SamplingPass) return false;
        if (CurrentStep < o.StartStep || (o.EndStep is int end && CurrentStep > end)) return false;
        foreach (var prefix in o.LayerPrefixes)
            if (path == prefix || path.StartsWith(prefix + ".", StringComparison.Ordinal)) return true;
        return false;
    }
}
