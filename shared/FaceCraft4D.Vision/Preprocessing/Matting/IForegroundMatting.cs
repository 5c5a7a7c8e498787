using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;

namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>Separates the person (head, hair, neck, shoulders) from the background of an aligned crop.</summary>
public interface IForegroundMatting
{
    string BackendName { get; }

    /// <param name="crop">the aligned crop</param>
    /// <param name="landmarks">68 landmarks in crop pixels (seed the person layout)</param>
    Task<MattingResult> MatteAsync(RgbImageBuffer crop, FaceLandmarks68 landmarks, CancellationToken ct);
}
