using FaceCraft4D.Animation.Rig;
using FaceCraft4D.Graphics.Cameras;

namespace FaceCraft4D.Stages.Animation;

/// <summary>
/// <c>video.json</c> of an animate-view work item (<c>runs/{runId}/stages/animate-view/src-XX-clip-YY/</c>): which view and
/// clip, the frame and mask files in order, the camera, the texture used, the identity and the FLAME parameters that
/// drove every frame (absolute: the fitted neutral plus the clip; for <c>rig</c> they are exactly what was rendered),
/// and the backend.
/// </summary>
public sealed record VideoDocument(
    string Format,
    int Source,
    int ClipIndex,
    string ClipName,
    string ClipDescription,
    int FrameCount,
    double Fps,
    int Width,
    int Height,
    Camera Camera,
    IReadOnlyList<string> Frames,
    IReadOnlyList<string> Masks,
    string? Texture,
    string ModelName,
    float[] Shape,
    IReadOnlyList<FlameFrame> DrivingParameters,
    string Backend,
    string DrivingSignal)
{
    /// <summary>Format tag.</summary>
    public const string FormatTag = "fc4d-video/1";
}
