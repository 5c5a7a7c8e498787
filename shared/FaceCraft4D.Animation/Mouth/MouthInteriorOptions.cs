namespace FaceCraft4D.Animation.Mouth;

/// <summary>Shape of the inner-mouth cavity (configuration section <c>Fc4d:Animation:Mouth</c>), relative to the mouth width.</summary>
public sealed class MouthInteriorOptions
{
    /// <summary>Add the cavity at all (when false, an opened mouth shows the inside of the head surface).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Depth of the cavity behind the lips, in mouth widths.</summary>
    public double Depth { get; set; } = 0.6;

    /// <summary>Half height of the cavity above and below the lip line, in mouth widths.</summary>
    public double HalfHeight { get; set; } = 0.25;

    /// <summary>Depth fractions of the rings behind the lips (the last ring is closed by a back cap).</summary>
    public double[] RingDepths { get; set; } = [0.12, 0.3, 0.55, 0.8];

    /// <summary>Height of each ring, in <see cref="HalfHeight"/>s.</summary>
    public double[] RingHeights { get; set; } = [0.55, 0.9, 1.0, 0.75];

    /// <summary>Width of each ring relative to the lips.</summary>
    public double[] RingWidths { get; set; } = [0.98, 0.95, 0.88, 0.7];

    /// <summary>Faces on the lower side (jaw-skinned) whose mean side value exceeds this are tongue, the rest is wall.</summary>
    public double TongueSide { get; set; } = 0.3;
}
