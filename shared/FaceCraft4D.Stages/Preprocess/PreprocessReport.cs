namespace FaceCraft4D.Stages.Preprocess;

/// <summary>The 68 landmarks file (<c>landmarks.json</c>).</summary>
/// <param name="Width">Crop width.</param>
/// <param name="Height">Crop height.</param>
/// <param name="PixelCentre">Where pixel centres are: 0.5 (pixel (i, j) is centred at (i + 0.5, j + 0.5), the Graphics camera convention).</param>
/// <param name="Order">Landmark order: <c>ibug-68</c> (dlib; "right" = the subject's right).</param>
/// <param name="Points">68 [x, y] pairs in crop pixels.</param>
public sealed record LandmarksDocument(int Width, int Height, double PixelCentre, string Order, IReadOnlyList<float[]> Points)
{
    /// <summary>The points as interleaved [x0, y0, x1, y1, ...] with pixel centres at 0.5, whatever <see cref="PixelCentre"/> says.</summary>
    public float[] InterleavedAtHalfPixelCentres()
    {
        double shift = 0.5 - PixelCentre;
        return Points.SelectMany(p => new[] { (float)(p[0] + shift), (float)(p[1] + shift) }).ToArray();
    }
}

/// <summary>The dense landmarks file (<c>dense-landmarks.json</c>), written when FaceMesh ran and accepted the face.</summary>
/// <param name="Width">Crop width.</param>
/// <param name="Height">Crop height.</param>
/// <param name="PixelCentre">Where pixel centres are: 0.5, as in <see cref="LandmarksDocument"/>.</param>
/// <param name="Order">Landmark order: <c>mediapipe-facemesh-468</c> or <c>mediapipe-facemesh-478</c> (468 + 2 x 5 iris points).</param>
/// <param name="Backend">What produced them: <c>facemesh</c> or <c>facemesh-attention</c>.</param>
/// <param name="FaceScore">FaceMesh's face-presence probability.</param>
/// <param name="Points">[x, y, z] per point in crop pixels (z: MediaPipe depth in the same pixel scale, negative toward the camera).</param>
public sealed record DenseLandmarksDocument(int Width, int Height, double PixelCentre, string Order, string Backend, double FaceScore, IReadOnlyList<float[]> Points);

/// <summary>What the preprocessing did (<c>preprocess.json</c>).</summary>
public sealed record PreprocessReport(
    int CropSize,
    int FacesDetected,
    double DetectionScore,
    double[] FaceBoxInPhoto,
    int PhotoRotationDegrees,
    double YawDegrees,
    double PitchDegrees,
    double RollDegrees,
    double FovDegrees,
    double ReprojectionRmsPixels,
    double[] NoseTipInCameraMetres,
    IReadOnlyDictionary<string, string> Backends,
    IReadOnlyList<string> Warnings);
