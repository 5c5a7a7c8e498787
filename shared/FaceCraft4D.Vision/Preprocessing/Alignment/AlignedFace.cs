using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;

namespace FaceCraft4D.Vision.Preprocessing.Alignment;

/// <summary>The aligned crop, its landmarks, and the photo-to-crop transform.</summary>
public sealed record AlignedFace(RgbImageBuffer Crop, FaceLandmarks68 Landmarks, SimilarityMap PhotoToCrop)
{
    /// <summary>In-plane rotation applied to level the face, degrees (the face's roll in the photo, sign flipped).</summary>
    public double RotationDegrees => PhotoToCrop.AngleDegrees;
}
