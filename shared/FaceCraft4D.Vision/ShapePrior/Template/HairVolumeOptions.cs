namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>Settings of <see cref="HairVolumeFitter"/>.</summary>
public sealed class HairVolumeOptions
{
    /// <summary>Grow the hair region so the head's silhouette matches the portrait's.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Largest relative growth of the hair region (0.3 = 30 % farther from the pivot).</summary>
    public double MaxGrowth { get; set; } = 0.35;

    /// <summary>Grid steps per axis of the search (from 0 to <see cref="MaxGrowth"/>).</summary>
    public int Steps { get; set; } = 15;

    /// <summary>Side of the silhouette images compared, pixels.</summary>
    public int Resolution { get; set; } = 128;
}
