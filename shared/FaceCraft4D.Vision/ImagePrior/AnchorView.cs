using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ImagePrior;

/// <summary>
/// A view whose colours are trusted and warped into other views: the reference portrait (view 0) and, once it
/// is made, the back view. Depth is camera z in metres (0 = no surface) at the image's resolution.
/// </summary>
/// <param name="Name">For records, e.g. <c>reference</c>, <c>back</c>.</param>
/// <param name="Image">The anchor's colours.</param>
/// <param name="Depth">The anchor's depth (from the shape prior).</param>
/// <param name="Camera">The anchor's camera (same resolution as the image).</param>
/// <param name="Mask">Foreground of the image (same resolution), or null when every pixel on the depth is foreground.
/// Where the shape prior's head reaches beyond the portrait's matte the portrait shows background (white in the
/// composited crop); such pixels (below <see cref="DepthWarpOptions.MinAnchorMask"/>) are never warped.</param>
/// <param name="FaceRegion">Where the anchor shows the face in front of the jaw contour (1 inside, soft at the edge; same
/// resolution), or null. With it the anchor's pixels outside the face warp only onto target surface that faces the anchor
/// camera (<see cref="DepthWarpOptions.AnchorFacingMin"/>): the reference portrait's neck and chin shadow must not be
/// stretched along the side of the model's neck. Null: no facing gate (the back view).</param>
/// <param name="HandicapDegrees">Added to this anchor's viewing angle when the warp picks the nearest visible anchor per
/// pixel (0: none): a derived anchor (<see cref="MirroredAnchor"/>) wins only where it sees the surface this much more
/// squarely than the anchors it was derived from.</param>
public sealed record AnchorView(
    string Name, RgbImage Image, DepthMap Depth, Camera Camera, FloatImage? Mask = null, FloatImage? FaceRegion = null, double HandicapDegrees = 0);
