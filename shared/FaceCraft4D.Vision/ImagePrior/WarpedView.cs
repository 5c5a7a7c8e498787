using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ImagePrior;

/// <summary>
/// An anchor warped into a target view (or several anchors, nearest visible wins).
/// </summary>
/// <param name="Image">Warped colours; defined where <paramref name="Visibility"/> is 1 (black elsewhere).</param>
/// <param name="Visibility">1 where the target's surface point is seen by the anchor (hard mask).</param>
/// <param name="SoftMask">The visibility with its boundary band set to the band value (1 inside, band value on the
/// band along the mask's edge, 0 outside), times the facing gate's weight of the anchor used
/// (<see cref="DepthWarpOptions.AnchorFacingMin"/>): the copy-paste weight of the image prior.</param>
/// <param name="LatentMask">The soft mask averaged down to latent resolution (1/8 by default).</param>
/// <param name="Source">Per pixel the index of the anchor used (-1 where none).</param>
public sealed record WarpedView(RgbImage Image, FloatImage Visibility, FloatImage SoftMask, FloatImage LatentMask, int[] Source);
