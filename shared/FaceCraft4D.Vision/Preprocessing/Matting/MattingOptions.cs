namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>Tunables of the matting: the learned selfie-segmentation backend (<see cref="Selfie"/>) and the landmark-seeded GrabCut fallback.</summary>
public sealed class MattingOptions
{
    /// <summary>Side of the square on which GrabCut runs (the crop is downscaled to it; the alpha is refined at full size).</summary>
    public int WorkingSize { get; set; } = 256;
    public GrabCutOptions GrabCut { get; set; } = new();
    /// <summary>
    /// Person template of the shape prior, in face widths (jaw 0 to 16) and face heights (brows to chin):
    /// head ellipse with these semi-axes, centred on the jaw midline HeadCentreOffset face heights above the brows;
    /// a neck column of NeckHalfWidthFactor down to ShoulderStartFactor below the chin; below that, shoulders of
    /// ShoulderHalfWidthFactor widening by ShoulderSlope pixels per pixel.
    /// </summary>
    public double HeadSemiAxisXFactor { get; set; } = 0.72;
    public double HeadSemiAxisYFactor { get; set; } = 1.0;
    public double HeadCentreOffsetFactor { get; set; } = 0.15;
    public double NeckHalfWidthFactor { get; set; } = 0.3;
    public double ShoulderStartFactor { get; set; } = 0.35;
    public double ShoulderHalfWidthFactor { get; set; } = 0.55;
    public double ShoulderSlope { get; set; } = 1.4;
    /// <summary>Pixels beyond this multiple of the template's normalised radius are sure background.</summary>
    public double EnvelopeFactor { get; set; } = 1.45;
    /// <summary>The landmark face hull is shrunk towards its centroid by this factor to form the sure-foreground core.</summary>
    public double FaceCoreShrink { get; set; } = 0.85;
    /// <summary>
    /// Sure-foreground torso column below the chin (half-width x face width), starting this many face heights
    /// below the chin: in a head-centred crop the chest fills the bottom centre.
    /// </summary>
    public double TorsoCoreHalfWidthFactor { get; set; } = 0.3;
    public double TorsoCoreStartFactor { get; set; } = 0.45;
    /// <summary>Softness of the shape prior P(fg) = sigmoid((1 - rho) / softness), rho = normalised template radius.</summary>
    public double PriorSoftness { get; set; } = 0.1;
    /// <summary>Weight of -log(prior) added to GrabCut's colour data term (0 disables the shape prior).</summary>
    public double PriorWeight { get; set; } = 2.0;
    /// <summary>Guided-filter window radius (pixels of the full-size crop) and regulariser (guide colours in 0..1).</summary>
    public int GuidedFilterRadius { get; set; } = 6;
    public double GuidedFilterEps { get; set; } = 1e-3;
    /// <summary>Alpha is soft only within this many pixels of the hard cut boundary.</summary>
    public int SoftBandRadius { get; set; } = 8;
    /// <summary>The learned backend (<see cref="SelfieMatting"/>); its face core uses <see cref="FaceCoreShrink"/>.</summary>
    public SelfieMattingOptions Selfie { get; set; } = new();
}
