using FaceCraft4D.Vision.Preprocessing.Imaging;

namespace FaceCraft4D.Vision.Preprocessing.Detection;

/// <summary>Finds faces in a photo.</summary>
public interface IFaceDetector
{
    /// <summary>Backend name recorded in results (what produced the detections).</summary>
    string BackendName { get; }

    /// <summary>All faces above the detector's score threshold after non-maximum suppression, best first.</summary>
    Task<IReadOnlyList<FaceDetection>> DetectAsync(RgbImageBuffer image, CancellationToken ct);
}
