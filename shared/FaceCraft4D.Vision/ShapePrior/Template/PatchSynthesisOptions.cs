namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>Settings of <see cref="ExemplarPatchSynthesis"/>.</summary>
public sealed class PatchSynthesisOptions
{
    /// <summary>Side of the copied blocks' cores, texels (16 from implementation 3; 8 before, which showed the block grid).</summary>
    public int BlockSize { get; set; } = 16;

    /// <summary>Width of the already-filled band around a block that a candidate must match, texels.</summary>
    public int Border { get; set; } = 4;

    /// <summary>
    /// Each block also copies this many texels of its source around its core, and overlapping copies are feathered
    /// (weights falling linearly to 0 over the band), so neighbouring blocks cross-fade instead of meeting at a hard
    /// seam. 0: plain block copying.
    /// </summary>
    public int Overlap { get; set; } = 4;

    /// <summary>Random source blocks tried per target block (besides the coherent continuations of its neighbours).</summary>
    public int Candidates { get; set; } = 96;

    /// <summary>Fewest distinct source blocks the exemplar must offer; with fewer the synthesis is not attempted.</summary>
    public int MinimumSources { get; set; } = 16;

    /// <summary>When the exemplar offers fewer than <see cref="MinimumSources"/> blocks, halve the block size (down to this) and try again.</summary>
    public int MinimumBlockSize { get; set; } = 8;

    /// <summary>The exemplar keeps only texels at least this far (texels) inside the source region (away from the face, ears and background).</summary>
    public int SourceErosion { get; set; } = 2;

    /// <summary>
    /// Exemplar texels whose local mean luminance (5 x 5) lies more than this many robust standard deviations
    /// (1.4826 x median absolute deviation) from the exemplar's median are not used: dark shadows at the hair's
    /// edge, brows or background caught in the hair mask. 0: keep every texel.
    /// </summary>
    public double OutlierDeviations { get; set; } = 2.0;
}
