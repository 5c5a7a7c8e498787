using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;

namespace FaceCraft4D.Vision.Preprocessing.Alignment;

/// <summary>
/// Aligns a face to the centred crop: least-squares similarity taking (right eye centre, left eye centre,
/// mouth centre) to fixed targets, then bilinear resampling of the photo through its inverse.
/// </summary>
public sealed class FaceAligner
{
    private readonly AlignmentOptions options;

    public FaceAligner(AlignmentOptions options) => this.options = options;

    /// <summary>Target positions in the crop: right eye (image left), left eye (image right), mouth centre.</summary>
    public IReadOnlyList<(double X, double Y)> Targets()
    {
        double s = options.CropSize, half = options.EyeDistanceFraction * s / 2;
        double cx = s / 2 - 0.5; // pixel-centre coordinates: the crop's centre line
        double eyeY = options.EyeLineYFraction * s - 0.5, mouthY = options.MouthYFraction * s - 0.5;
        return new[] { (cx - half, eyeY), (cx + half, eyeY), (cx, mouthY) };
    }

    /// <summary>The similarity mapping photo coordinates to crop coordinates for these landmarks.</summary>
    public SimilarityMap Estimate(FaceLandmarks68 landmarks) =>
        SimilarityMap.Estimate(new[] { landmarks.RightEyeCentre, landmarks.LeftEyeCentre, landmarks.MouthCentre }, Targets());

    public AlignedFace Align(RgbImageBuffer photo, FaceLandmarks68 landmarks)
    {
        var photoToCrop = Estimate(landmarks);
        var crop = AffineWarper.Warp(photo, photoToCrop.Inverse(), options.CropSize, options.CropSize, options.Border);
        var cropLandmarks = landmarks.Transform((x, y) => photoToCrop.Apply(x, y));
        return new AlignedFace(crop, cropLandmarks, photoToCrop);
    }
}
