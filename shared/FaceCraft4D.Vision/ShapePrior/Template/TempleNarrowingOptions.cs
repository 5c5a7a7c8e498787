namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// Settings of <see cref="TempleNarrowing"/>: the fitted face narrowed at temple and cheek height until its skin no longer
/// projects past the portrait's 2D face outline (docs/side-view-diagnosis.md, sessions s24 and s25).
/// </summary>
public sealed class TempleNarrowingOptions
{
    /// <summary>
    /// Narrow the face (off by default: see docs/side-view-diagnosis.md, session s25, for the measurement). Before
    /// implementation 6 of the shape prior the fitted face kept its width and its temple skin took the hair beside the
    /// portrait's face (the hair-coloured band from the eye back to the ear at +-60 degrees).
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>Largest compression of the face beyond the outer eye corners (0.5: that part half as wide).</summary>
    public double MaxNarrowing { get; set; } = 0.6;

    /// <summary>Share of the face's skin points (seen by the portrait, between the nose and the brows) whose outside
    /// distance is brought to <see cref="TolerancePixels"/> (0.9: the 90th percentile).</summary>
    public double Quantile { get; set; } = 0.9;

    /// <summary>Allowed distance (crop pixels) of those points outside the outline.</summary>
    public double TolerancePixels { get; set; } = 0.5;

    /// <summary>Depth (metres) behind the jaw contour's top over which the narrowing fades out toward the ears.</summary>
    public double BackFade { get; set; } = 0.04;

    /// <summary>Height (metres) below the nose tip and above the brows over which the narrowing fades out.</summary>
    public double HeightFade { get; set; } = 0.03;
}
