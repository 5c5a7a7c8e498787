namespace FaceCraft4D.Contracts;

/// <summary>
/// A GPU worker's verdict on an uploaded video (<c>POST /screen/video</c>, issue 15): the container's facts, and faces
/// found on frames sampled across the video. The API refuses the upload before storing anything when
/// <see cref="Accepted"/> is false, and plans the tracking chunks from <see cref="DurationSeconds"/>.
/// </summary>
/// <param name="Accepted">True when the video can drive the avatar.</param>
/// <param name="ReasonCode">Why not: <c>not-a-video</c>, <c>unsupported-codec</c>, <c>too-long</c>, <c>too-large</c>, <c>too-small</c>, <c>no-face</c>.</param>
/// <param name="Message">A sentence for the user.</param>
/// <param name="DurationSeconds">Duration of the video stream.</param>
/// <param name="Width">Displayed width (after rotation).</param>
/// <param name="Height">Displayed height (after rotation).</param>
/// <param name="Codec">Video codec as FFmpeg names it.</param>
/// <param name="AverageFps">Average frame rate of the file.</param>
/// <param name="HasAudio">Whether an audio stream is present (kept in the side-by-side preview).</param>
/// <param name="FramesSampled">Frames the face check looked at.</param>
/// <param name="FramesWithFace">Of those, frames with at least one face.</param>
/// <param name="MostFaces">Most faces on one sampled frame.</param>
/// <param name="Backend">What screened it (reader + detector).</param>
/// <param name="Warnings">E.g. several faces (the largest is tracked).</param>
public sealed record VideoScreening(
    bool Accepted,
    string? ReasonCode,
    string Message,
    double DurationSeconds,
    int Width,
    int Height,
    string? Codec,
    double AverageFps,
    bool HasAudio,
    int FramesSampled,
    int FramesWithFace,
    int MostFaces,
    string Backend,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Frames after resampling to <paramref name="fps"/> (as the video reader counts them).</summary>
    public int FramesAt(double fps) => Math.Max(1, (int)Math.Floor((DurationSeconds * fps) + 1e-6));
}
