using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior;

/// <summary>
/// What a shape prior starts from: the preprocessed, aligned portrait crop, its foreground mask, its 68 landmarks
/// and the field of view of the crop's camera (principal point at the crop centre); optionally the preprocessing's
/// dense MediaPipe FaceMesh landmarks (<see cref="DenseLandmarks"/>).
/// </summary>
/// <param name="Crop">The aligned crop (with its original background).</param>
/// <param name="Mask">Foreground alpha of the crop, [0, 1].</param>
/// <param name="Landmarks">iBUG-68 landmarks in crop pixels, interleaved x/y, in the Graphics convention (pixel centres at +0.5;
/// the preprocessing's landmarks have centres at integers, so add 0.5).</param>
/// <param name="FovDegrees">Field of view of the crop (both axes).</param>
public sealed record ShapePriorInput(RgbImage Crop, FloatImage Mask, float[] Landmarks, double FovDegrees)
{
    /// <summary>
    /// FaceMesh landmarks (468, or 478 with the irises) in crop pixels, interleaved x/y/z, pixel centres at +0.5 like
    /// <see cref="Landmarks"/> (z unused); null when the preprocessing produced none (then the 68 landmarks are fitted).
    /// </summary>
    public float[]? DenseLandmarks { get; init; }

    /// <summary>What produced <see cref="DenseLandmarks"/> (e.g. <c>facemesh-attention</c>); null when there are none.</summary>
    public string? DenseLandmarkBackend { get; init; }
}
