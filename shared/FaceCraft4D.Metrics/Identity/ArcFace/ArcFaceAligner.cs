using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;

namespace FaceCraft4D.Metrics.Identity.ArcFace;

/// <summary>
/// insightface <c>norm_crop</c>: the least-squares similarity taking five facial points to the ArcFace 112 × 112
/// template — (38.2946, 51.6963) image-left eye, (73.5318, 51.5014) image-right eye, (56.0252, 71.7366) nose tip,
/// (41.5493, 92.3655) and (70.7299, 92.2041) mouth corners — then a bilinear warp. The five points come from the
/// iBUG-68 landmarks: eye centres (36-41, 42-47), nose tip 30, mouth corners 48 and 54. Outside the photo the border is
/// replicated (insightface pads with black).
/// </summary>
public static class ArcFaceAligner
{
    private static readonly (double X, double Y)[] Template =
        [(38.2946, 51.6963), (73.5318, 51.5014), (56.0252, 71.7366), (41.5493, 92.3655), (70.7299, 92.2041)];

    /// <summary>The five template points scaled to an output side (the template is defined for 112).</summary>
    public static IReadOnlyList<(double X, double Y)> TemplateFor(int size) =>
        Template.Select(p => (p.X * size / 112.0, p.Y * size / 112.0)).ToList();

    public static IReadOnlyList<(double X, double Y)> FivePoints(FaceLandmarks68 m) =>
        [m.Mean(36, 41), m.Mean(42, 47), m[30], m[48], m[54]];

    /// <summary>Aligned crop, planar [3, size, size] 0..255.</summary>
    public static RgbImageBuffer Align(RgbImageBuffer image, FaceLandmarks68 landmarks, int size = 112)
    {
        var toTemplate = SimilarityMap.Estimate(FivePoints(landmarks), TemplateFor(size));
        return AffineWarper.Warp(image, toTemplate.Inverse(), size, size, BorderMode.Replicate);
    }
}
