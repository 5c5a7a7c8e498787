namespace FaceCraft4D.Vision.ImagePrior;

/// <summary>Settings of <see cref="DepthWarper"/> (bind from configuration section <c>Fc4d:ImagePrior:Warp</c>).</summary>
public sealed class DepthWarpOptions
{
    /// <summary>Depth agreement tolerance: absolute part, metres.</summary>
    public double DepthToleranceAbsolute { get; set; } = 0.004;

    /// <summary>Depth agreement tolerance: part proportional to the depth of one pixel's footprint (pixels).</summary>
    public double DepthTolerancePixels { get; set; } = 1.5;

    /// <summary>Neighbouring anchor pixels whose depths differ by more than this (metres) are not connected when warping forward.</summary>
    public double DiscontinuityMetres { get; set; } = 0.05;

    /// <summary>Least anchor pixels per target pixel for a warped pixel to count (lower values keep more, blurrier, pixels).</summary>
    public double MinAnchorDensity { get; set; } = 0.2;

    /// <summary>Closing radius (pixels) that fills pinholes of the forward splat inside the target's surface.</summary>
    public int HoleFillRadius { get; set; } = 1;

    /// <summary>Width of the soft boundary band as a fraction of the image side (at least one pixel).</summary>
    public double BoundaryBandFraction { get; set; } = 1.0 / 128;

    /// <summary>Mask value inside the boundary band (paper: 0.1).</summary>
    public double BoundaryBandValue { get; set; } = 0.1;

    /// <summary>Downsampling from image to latent resolution (Stable-Diffusion VAE: 8).</summary>
    public int LatentFactor { get; set; } = 8;

    /// <summary>Least anchor foreground (<see cref="AnchorView.Mask"/>, bilinear) for an anchor pixel to be warped; edge pixels
    /// below it are blends with the background.</summary>
    public double MinAnchorMask { get; set; } = 0.9;

    /// <summary>
    /// Facing gate of anchors with a <see cref="AnchorView.FaceRegion"/> (the reference portrait): outside the face
    /// region the anchor's pixels warp only onto target surface whose normal faces the anchor camera at a cosine of at
    /// least this (weight ramping to 1 at <see cref="AnchorFacingFull"/>). Seen from the front, the side of the head
    /// model's neck and jaw lies at the portrait's pixels just below the jaw line at a grazing angle; without the gate the
    /// portrait's neck and chin shadow are stretched back along it, the "second jaw" of the 45 and 315 degree views
    /// (docs/side-view-diagnosis.md, s22/s23). The shape prior's texture follows the same rule
    /// (<c>HeadTextureOptions.BehindFaceFacingMin</c>). Negative: no gate (the warp before s23). Default off: on the sample
    /// (seeds 501, 502) the gate lowered the reference view by 0.17 and 0.41 dB; 0.6 is the value that was measured.
    /// </summary>
    public double AnchorFacingMin { get; set; } = -1;

    /// <summary>Cosine from which the facing gate gives an anchor pixel its full weight (see <see cref="AnchorFacingMin"/>).</summary>
    public double AnchorFacingFull { get; set; } = 0.85;

    /// <summary>
    /// Warp the reference portrait a second time as its mirror image through the head's plane of symmetry
    /// (<see cref="MirroredAnchor"/>), so that where the mirrored camera sees a target pixel at a smaller angle than the
    /// portrait camera (the side of the face a turned portrait sees foreshortened) the target takes the other side's
    /// pixels. Default off (docs/side-view-diagnosis.md, session s25).
    /// </summary>
    public bool MirroredReference { get; set; }

    /// <summary>
    /// How many degrees more squarely the mirrored portrait must see a target pixel's surface than the portrait itself
    /// before it takes that pixel (<see cref="AnchorView.HandicapDegrees"/>). A portrait turned by t degrees has its mirror
    /// 2t nearer to the far side's views: with 10, portraits within 5 degrees of frontal keep their own pixels on both
    /// sides (without it the sample, turned 0.6 degrees, trained one whole side on the mirror of the other: s25).
    /// </summary>
    public double MirroredReferenceMarginDegrees { get; set; } = 10;
}
