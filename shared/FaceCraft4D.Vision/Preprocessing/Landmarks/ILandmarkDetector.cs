using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.Imaging;

namespace FaceCraft4D.Vision.Preprocessing.Landmarks;

/// <summary>Places the 68 iBUG landmarks of one face.</summary>
public interface ILandmarkDetector
{
    string BackendName { get; }

    /// <summary>68 landmarks (iBUG-68 order) in image pixels for the face in <paramref name="box"/>.</summary>
    Task<FaceLandmarks68> DetectAsync(RgbImageBuffer image, FaceBox box, CancellationToken ct);
}
