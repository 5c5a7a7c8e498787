using FaceCraft4D.Stages.ShapePrior;

namespace FaceCraft4D.Stages.Tracking;

/// <summary>One tracked frame in <c>tracking.json</c>: FLAME parameters (absolute, axis-angle radians, metres) and fit figures.</summary>
public sealed record TrackedFrameDocument(
    int Frame,
    float[] Expression,
    float[] Jaw,
    float[] Neck,
    float[] Eyes,
    float[] Translation,
    double Photometric,
    double? LandmarkErrorPixels,
    int LandmarkViews);

/// <summary>One clip's tracked sequence: its videos (source view to the animate-view key) and frames.</summary>
public sealed record TrackedClipDocument(
    int Clip,
    string Name,
    double Fps,
    int FrameCount,
    IReadOnlyDictionary<string, string> Videos,
    IReadOnlyList<TrackedFrameDocument> Frames);

/// <summary>
/// <c>tracking.json</c> of stage 6: the model, the shared identity, the static offsets file, the cameras file and, per
/// clip, every frame's FLAME parameters. The head is posed as FLAME(shape, frame) with the offsets added in canonical
/// space (before skinning) and global rotation zero; each video's camera is <c>cameras.json</c>'s <c>orbit_XX</c>.
/// </summary>
public sealed record TrackingDocument(
    string Format,
    HeadModelReference Model,
    int ExpressionCount,
    float[] Shape,
    float[] GlobalRotation,
    string Offsets,
    string Cameras,
    IReadOnlyList<TrackedClipDocument> Clips,
    string Backend,
    IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>Format tag.</summary>
    public const string FormatTag = "fc4d-tracking/1";
}

/// <summary><c>landmarks.json</c>: what detection found on every frame of every video.</summary>
public sealed record LandmarkVideoDocument(string Video, int Source, int Clip, double YawDegrees, IReadOnlyList<LandmarkFrameDocument> Frames);

/// <summary>One frame's detection (points in frame pixels, centres at +0.5; null when rejected).</summary>
public sealed record LandmarkFrameDocument(int Frame, string Outcome, double Score, double? Deviation, float[]? Points);
