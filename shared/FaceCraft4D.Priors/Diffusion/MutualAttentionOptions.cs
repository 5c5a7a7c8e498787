namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// Where cross-view mutual self-attention (paper 3.2) applies: target views' self-attention takes its keys and values
/// from the reference view (batch index 0 of each guidance group).
/// </summary>
public sealed class MutualAttentionOptions
{
    /// <summary>Master switch; false gives plain per-view self-attention.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>First denoising step (0-based, counted over the steps actually run) with mutual attention.</summary>
    public int StartStep { get; set; }

    /// <summary>Last denoising step (inclusive) with mutual attention; null = until the end.</summary>
    public int? EndStep { get; set; }

    /// <summary>
    /// Self-attention modules whose path starts with one of these prefixes use mutual attention (e.g. "mid_block",
    /// "up_blocks", "up_blocks.3"). Default: the decoder half (mid and up blocks), where appearance is formed while
    /// the encoder keeps each view's own layout.
    /// </summary>
    public string[] LayerPrefixes { get; set; } = ["mid_block", "up_blocks"];

    /// <summary>
    /// When true a target attends to [reference keys ; its own keys] instead of the reference's alone.
    /// Default false (keys and values come from the reference only, as in the paper).
    /// </summary>
    public bool IncludeTargetOwnKeys { get; set; }
}
