using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ImagePrior;

/// <summary>
/// An anchor reflected through the head's plane of symmetry, the world plane x = 0 (the shape prior fits the head with
/// no global rotation or translation, so its left-right symmetry is world x -> -x; +x is the subject's left): the image,
/// depth, matte and face region flipped left-right, and the camera reflected so that the flipped pixel (W - u, v) at the
/// same depth lifts to the mirrored point (-x, y, z) of the original pixel's point. Warped with the original anchor
/// (<see cref="DepthWarper"/>, nearest visible anchor wins), it carries the side of the face that the portrait sees
/// well onto the side it sees foreshortened: a portrait taken from 12 degrees to one side sees the other side's cheek at
/// 72 degrees from a target at 60, its mirror at 48. Where the fitted head is not symmetric the mirrored surface misses
/// the target's depth and the z-buffer test drops it.
/// </summary>
public static class MirroredAnchor
{
    /// <summary>
    /// The reflection of <paramref name="anchor"/> (named <c>{name}-mirrored</c>), handicapped by
    /// <paramref name="handicapDegrees"/> in the warp's nearest-anchor choice: it takes a target pixel from the original only
    /// where it sees that pixel's surface at least that many degrees more squarely. A portrait turned by t degrees has its
    /// mirror 2t degrees nearer to the far side's views, so a near-frontal portrait (2t below the handicap) keeps its own
    /// pixels on both sides.
    /// </summary>
    public static AnchorView Of(AnchorView anchor, double handicapDegrees = 0)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        if (!(handicapDegrees >= 0)) throw new ArgumentOutOfRangeException(nameof(handicapDegrees), handicapDegrees, "The handicap must be 0 or more degrees.");
        return new AnchorView($"{anchor.Name}-mirrored", Flip(anchor.Image), new DepthMap(anchor.Depth.Width, anchor.Depth.Height, Flip(anchor.Depth.Values).Data),
            Reflect(anchor.Camera), anchor.Mask is { } mask ? Flip(mask) : null, anchor.FaceRegion is { } face ? Flip(face) : null,
            anchor.HandicapDegrees + handicapDegrees);
    }

    /// <summary>
    /// The camera that sees the world reflected through x = 0 as <paramref name="camera"/> sees the world, with its image
    /// flipped left-right: world-to-camera [R | t] becomes [F R S | F t] with S = F = diag(-1, 1, 1) (a proper rotation),
    /// and the principal point cx becomes W - cx.
    /// </summary>
    public static Camera Reflect(Camera camera)
    {
        ArgumentNullException.ThrowIfNull(camera);
        var m = camera.Extrinsics.WorldToCamera;
        var r = (double[])m.Clone();
        for (int i = 0; i < 3; i++)
        {
            double fi = i == 0 ? -1 : 1;
            for (int j = 0; j < 3; j++) r[4 * i + j] = fi * m[4 * i + j] * (j == 0 ? -1 : 1);
            r[4 * i + 3] = fi * m[4 * i + 3];
        }
        var k = camera.Intrinsics;
        return new Camera(k with { Cx = k.Width - k.Cx }, new CameraExtrinsics(r), camera.Name is { } n ? $"{n}-mirrored" : null);
    }

    private static RgbImage Flip(RgbImage image)
    {
        var result = new RgbImage(image.Width, image.Height);
        for (int y = 0; y < image.Height; y++)
        for (int x = 0; x < image.Width; x++)
            result[image.Width - 1 - x, y] = image[x, y];
        return result;
    }

    private static FloatImage Flip(FloatImage image)
    {
        var result = new FloatImage(image.Width, image.Height);
        for (int y = 0; y < image.Height; y++)
        for (int x = 0; x < image.Width; x++)
            result[image.Width - 1 - x, y] = image[x, y];
        return result;
    }
}
