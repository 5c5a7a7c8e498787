namespace FaceCraft4D.Graphics.Flame;

/// <summary>Settings of <see cref="ProceduralHeadModel"/> (bindable from configuration). Defaults give about 3.9K vertices.</summary>
public sealed class ProceduralHeadOptions
{
    /// <summary>Vertices around the head (even; at least 32). The azimuth spacing is finer at the face.</summary>
    public int AzimuthSegments { get; set; } = 64;

    /// <summary>Latitude step in degrees over the face band (57.5..140 degrees from the crown); must divide the band evenly.</summary>
    public double FaceRowStepDegrees { get; set; } = 2.5;

    /// <summary>Rows between the crown pole and the face band.</summary>
    public int CrownRows { get; set; } = 9;

    /// <summary>Rows of the neck below the head.</summary>
    public int NeckRows { get; set; } = 5;

    /// <summary>Identity components (1..10).</summary>
    public int ShapeComponents { get; set; } = 10;

    /// <summary>Expression components (0..10).</summary>
    public int ExpressionComponents { get; set; } = 10;

    /// <summary>Icosphere subdivisions of each eyeball (0..3).</summary>
    public int EyeballSubdivisions { get; set; } = 2;

    /// <summary>Half the mouth slit in azimuth segments; the lip rings have 2 * this + 1 vertices (7 gives FLAME 2023's 15).</summary>
    public int MouthHalfWidthSegments { get; set; } = 7;

    /// <summary>Append FLAME 2023-style teeth (168 triangles with the default mouth) rigidly bound to neck and jaw.</summary>
    public bool AddTeeth { get; set; } = true;
}
