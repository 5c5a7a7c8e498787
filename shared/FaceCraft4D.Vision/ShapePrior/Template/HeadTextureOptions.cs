namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>Settings of the projective head texture and its completion (<see cref="ProjectiveHeadTexture"/>).</summary>
public sealed class HeadTextureOptions
{
    /// <summary>Below this cosine between normal and view direction the portrait is not used (grazing angles stretch it).</summary>
    public double FacingMin { get; set; } = 0.25;

    /// <summary>From this cosine on the portrait is used with full weight.</summary>
    public double FacingFull { get; set; } = 0.55;

    /// <summary>A point is visible in the portrait when its depth is at most this much (metres) behind the z-buffer.</summary>
    public double DepthTolerance { get; set; } = 0.006;

    /// <summary>Foreground-mask value from which the portrait is trusted (ramps to full at <see cref="MaskFull"/>).</summary>
    public double MaskMin { get; set; } = 0.3;

    /// <summary>Foreground-mask value of full trust.</summary>
    public double MaskFull { get; set; } = 0.85;

    /// <summary>Use the left-right mirrored point (FLAME is symmetric about x = 0) where the point itself is unseen.</summary>
    public bool UseSymmetry { get; set; } = true;

    /// <summary>Weight of the mirrored portrait colour relative to a direct observation.</summary>
    public double SymmetryWeight { get; set; } = 0.9;

    /// <summary>Width of the smooth transitions between hair, skin and neck regions, metres.</summary>
    public double RegionBlend { get; set; } = 0.02;

    /// <summary>Hair reaches down to the mouth line at the back; this moves that line (metres, + = up).</summary>
    public double NapeOffset { get; set; }

    /// <summary>Points higher than the brows by this much (metres) are hair on the top of the head.</summary>
    public double CrownAboveBrows { get; set; } = 0.04;

    /// <summary>Strand noise: cycles per metre across strands (x, z).</summary>
    public double HairNoiseAcross { get; set; } = 220;

    /// <summary>Strand noise: cycles per metre along strands (y).</summary>
    public double HairNoiseAlong { get; set; } = 30;

    /// <summary>Bounds of the hair noise amplitude (relative), taken from the hair samples' luminance spread.</summary>
    public double HairVariationMax { get; set; } = 0.35;

    /// <summary>Side of the UV texture baked for models with texture coordinates.</summary>
    public int TextureSize { get; set; } = 1024;

    /// <summary>Complete unseen texels in texture space (mirror, exemplar hair, neck extension; <see cref="HeadTextureCompletion"/>)
    /// for models with texture coordinates; false: the per-point symmetry and colour statistics only.</summary>
    public bool TextureSpaceCompletion { get; set; } = true;

    /// <summary>Side of the atlas the completion works on (the final atlas is <see cref="TextureSize"/>; the completion is sampled bilinearly).</summary>
    public int CompletionSize { get; set; } = 512;

    /// <summary>Texels at least this confident (after mirroring) are known: they seed the fills and bound the synthesis.</summary>
    public double KnownWeight { get; set; } = 0.5;

    /// <summary>Observed texels at least this confident may serve as hair exemplar.</summary>
    public double HairSourceWeight { get; set; } = 0.75;

    /// <summary>Completed texels within this distance (metres) of the symmetry plane are averaged with their mirror texel, so the
    /// two sides of the back meet without a seam.</summary>
    public double SymmetryBlendWidth { get; set; } = 0.015;

    /// <summary>Hair exemplar synthesis.</summary>
    public PatchSynthesisOptions HairSynthesis { get; set; } = new();
}
