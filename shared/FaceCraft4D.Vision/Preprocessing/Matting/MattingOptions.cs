namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>Tunables of the landmark-seeded GrabCut matting.</summary>
public sealed class MattingOptions
{
    /// <summary>Side of the square on which GrabCut runs (the crop is downscaled to it; the alpha is refined at full size).</summary>
    public int WorkingSize { get; set; } = 256;
    public GrabCutOptions GrabCut { get; set; } = new();
    /// <summary>Head ellipse semi-axes as multiples of the face width (jaw 0 to 16) and face height (brows to chin); outside head and body is sure background.</summary>
    public double HeadSemiAxisXFactor { get; set; } = 1.0;
    public double HeadSemiAxisYFactor { get; set; } = 1.25;
    /// <summary>Half-width of the body region at chin level (x face width) and its widening per pixel below the chin.</summary>
    public double NeckHalfWidthFactor { get; set; } = 0.45;
    public double ShoulderSlope { get; set; } = 1.6;
    /// <summary>The landmark face hull is shrunk towards its centroid by this factor to form the sure-foreground core.</summary>
    public double FaceCoreShrink { get; set; } = 0.85;
    /// <summary>
    /// Sure-foreground torso column below the chin (half-width x face width), starting this many face heights
    /// below the chin: in a head-centred crop the chest fills the bottom centre.
    /// </summary>
    public double TorsoCoreHalfWidthFactor { get; set; } = 0.3;
    public double TorsoCoreStartFactor { get; set; } = 0.45;
    /// <summary>Guided-filter window radius (pixels of the full-size crop) and regulariser (guide colours in 0..1).</summary>
    public int GuidedFilterRadius { get; set; } = 6;
    public double GuidedFilterEps { get; set; } = 1e-3;
    /// <summary>Alpha is soft only within this many pixels of the hard cut boundary.</summary>
    public int SoftBandRadius { get; set; } = 8;
}
