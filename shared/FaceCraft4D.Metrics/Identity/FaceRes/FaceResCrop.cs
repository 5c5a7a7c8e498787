using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;

namespace FaceCraft4D.Metrics.Identity.FaceRes;

/// <summary>
/// The face crop faceres is fed in @vladmandic/human: an upright (eye line horizontal, as human's rotation correction
/// makes it) square around the whole face, about 1.5 times the face's extent, resized to 224². Here the face's extent
/// is the box of the 68 landmarks, its height raised by 15 % for the forehead the 68 points do not cover (human's
/// box comes from the 468-point mesh, which does).
/// </summary>
public static class FaceResCrop
{
    public const double Enlarge = 1.5;
    public const double ForeheadFactor = 0.15;

    /// <summary>Maps crop pixels (0..size) to image pixels.</summary>
    public static SimilarityMap CropToImage(FaceLandmarks68 lm, int size)
    {
        var (rx, ry) = lm.RightEyeCentre; var (lx, ly) = lm.LeftEyeCentre;
        double angle = Math.Atan2(ly - ry, lx - rx);
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        // the landmark box in the upright frame (rotate by -angle about the origin)
        var pts = Enumerable.Range(0, 68).Select(i => lm[i]).Select(p => (U: cos * p.X + sin * p.Y, V: -sin * p.X + cos * p.Y)).ToList();
        double u0 = pts.Min(p => p.U), u1 = pts.Max(p => p.U), v0 = pts.Min(p => p.V), v1 = pts.Max(p => p.V);
        double height = (v1 - v0) * (1 + ForeheadFactor);
        double cu = (u0 + u1) / 2, cv = v1 - height / 2;
        double side = Enlarge * Math.Max(u1 - u0, height);
        double s = side / size, c = (size - 1) / 2.0;
        double a = s * cos, b = s * sin;
        // centre of the upright box back in image coordinates
        double cx = cos * cu - sin * cv, cy = sin * cu + cos * cv;
        return new SimilarityMap(a, b, cx - (a * c - b * c), cy - (b * c + a * c));
    }

    /// <summary>The crop, planar [3, size, size] 0..255 (border replicated).</summary>
    public static RgbImageBuffer Extract(RgbImageBuffer image, FaceLandmarks68 lm, int size = FaceResModel.InputSize) =>
        AffineWarper.Warp(image, CropToImage(lm, size), size, size, BorderMode.Replicate);
}
