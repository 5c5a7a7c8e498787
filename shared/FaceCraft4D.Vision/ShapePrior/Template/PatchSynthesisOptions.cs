namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>Settings of <see cref="ExemplarPatchSynthesis"/>.</summary>
public sealed class PatchSynthesisOptions
{
    /// <summary>Side of the copied blocks, texels.</summary>
    public int BlockSize { get; set; } = 8;

    /// <summary>Width of the already-filled band around a block that a candidate must match, texels.</summary>
    public int Border { get; set; } = 3;

    /// <summary>Random source blocks tried per target block (besides the coherent continuations of its neighbours).</summary>
    public int Candidates { get; set; } = 96;

    /// <summary>Fewest distinct source blocks the exemplar must offer; with fewer the synthesis is not attempted.</summary>
    public int MinimumSources { get; set; } = 16;
}
