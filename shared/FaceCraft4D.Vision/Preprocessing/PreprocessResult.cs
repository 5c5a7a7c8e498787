using FaceCraft4D.Vision.Preprocessing.Camera;
using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.FaceMesh;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Vision.Preprocessing;

/// <summary>Output of stage 1. Owns its images: dispose it.</summary>
public sealed class PreprocessResult : IDisposable
{
    /// <summary>Aligned, centred CropSize x CropSize face crop.</summary>
    public required Image<Rgb24> AlignedCrop { get; init; }
    /// <summary>The crop composited over white with the foreground alpha.</summary>
    public required Image<Rgb24> WhiteBackgroundCrop { get; init; }
    /// <summary>Foreground alpha (255 = person).</summary>
    public required Image<L8> Mask { get; init; }
    /// <summary>68 iBUG landmarks in crop pixels, interleaved [x0, y0, ..., x67, y67].</summary>
    public required float[] Landmarks { get; init; }
    public required CameraEstimate Camera { get; init; }
    /// <summary>The chosen face in the original photo's pixels and its detector score.</summary>
    public required FaceBox FaceBoxInPhoto { get; init; }
    public required double DetectionScore { get; init; }
    /// <summary>Number of faces the detector found (the largest is used).</summary>
    public required int FacesDetected { get; init; }
    /// <summary>Maps photo pixel coordinates (after any EXIF orientation) to crop pixel coordinates (includes any 90-degree turn).</summary>
    public required SimilarityMap PhotoToCrop { get; init; }
    /// <summary>Clockwise quarter turn (0, 90, 180, 270) under which the face was found.</summary>
    public required int PhotoRotationDegrees { get; init; }
    public required string DetectorBackend { get; init; }
    public required string LandmarkBackend { get; init; }
    public required string MattingBackend { get; init; }
    public required string CameraBackend { get; init; }
    /// <summary>What super-resolved the photo for the crop (e.g. <c>esrgan-slim-x2</c>), or <c>none</c>.</summary>
    public string SuperResolutionBackend { get; init; } = SuperResolution.CropSuperResolver.NoneBackend;
    public required IReadOnlyList<string> Warnings { get; init; }
    /// <summary>
    /// MediaPipe FaceMesh landmarks (468, or 478 with the attention model) in crop pixels with z in the same pixel
    /// scale; null when FaceMesh is disabled, its model is missing or it rejected the face (then only the 68
    /// <see cref="Landmarks"/> exist and <see cref="Warnings"/> says why).
    /// </summary>
    public DenseFaceLandmarks? DenseLandmarks { get; init; }
    /// <summary>"facemesh", "facemesh-attention", or "none" (the 68 landmarks only).</summary>
    public string DenseLandmarkBackend { get; init; } = "none";
    /// <summary>Wall time of the dense landmark step (crop passes + network), milliseconds; 0 when it did not run.</summary>
    public double DenseLandmarkMilliseconds { get; init; }

    public void Dispose()
    {
        AlignedCrop.Dispose();
        WhiteBackgroundCrop.Dispose();
        Mask.Dispose();
    }
}
