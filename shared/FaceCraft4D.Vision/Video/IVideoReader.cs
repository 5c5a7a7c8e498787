using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Vision.Video;

/// <summary>
/// Reads user videos (MP4/MOV/WebM; H.264, H.265, VP9, ...) through FFmpeg: facts first (cheap, for refusing bad input
/// early), then upright frames resampled to a constant frame rate (rotation metadata applied, variable frame rate
/// resolved by the resampling).
/// </summary>
public interface IVideoReader
{
    /// <summary>The container's facts; throws <see cref="InvalidVideoException"/> for a file that is not a readable video.</summary>
    Task<VideoFacts> ProbeAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Frames <c>request.FirstFrame ..</c> (at most <c>request.FrameCount</c>) of the video resampled to <c>request.Fps</c>,
    /// upright, scaled so the longer side is at most <c>request.MaxSide</c>. The caller disposes each frame.
    /// </summary>
    IAsyncEnumerable<VideoFrame> ReadFramesAsync(string path, VideoReadRequest request, CancellationToken cancellationToken);
}

/// <summary>Facts about a video file, as FFmpeg probes them.</summary>
/// <param name="Duration">Duration of the video stream.</param>
/// <param name="Width">Displayed width (after rotation).</param>
/// <param name="Height">Displayed height (after rotation).</param>
/// <param name="Codec">Video codec name as FFmpeg names it (<c>h264</c>, <c>hevc</c>, <c>vp9</c>, ...).</param>
/// <param name="Container">Container format name(s) (<c>mov,mp4,m4a,3gp,3g2,mj2</c>, <c>matroska,webm</c>, ...).</param>
/// <param name="AverageFps">Average frame rate.</param>
/// <param name="VariableFrameRate">True when the stream's real and average frame rates differ.</param>
/// <param name="RotationDegrees">Rotation metadata (0, 90, 180, 270).</param>
/// <param name="HasAudio">Whether an audio stream is present.</param>
/// <param name="Bytes">File size.</param>
public sealed record VideoFacts(
    TimeSpan Duration, int Width, int Height, string Codec, string Container, double AverageFps,
    bool VariableFrameRate, int RotationDegrees, bool HasAudio, long Bytes)
{
    /// <summary>Number of frames after resampling to <paramref name="fps"/>.</summary>
    public int FramesAt(double fps) => Math.Max(1, (int)Math.Floor(Duration.TotalSeconds * fps + 1e-6));
}

/// <summary>Which frames to read.</summary>
/// <param name="Fps">Resampled frame rate.</param>
/// <param name="MaxSide">Longer side of the returned frames at most this (aspect kept; never upscaled).</param>
/// <param name="FirstFrame">First frame index at <paramref name="Fps"/>.</param>
/// <param name="FrameCount">Number of frames, or null for all to the end.</param>
public sealed record VideoReadRequest(double Fps = 25, int MaxSide = 512, int FirstFrame = 0, int? FrameCount = null);

/// <summary>One decoded, upright frame.</summary>
/// <param name="Index">Frame index at the requested frame rate.</param>
/// <param name="Time">Its time in the video.</param>
/// <param name="Image">The pixels; disposed with the frame.</param>
public sealed record VideoFrame(int Index, TimeSpan Time, Image<Rgb24> Image) : IDisposable
{
    /// <inheritdoc />
    public void Dispose() => Image.Dispose();
}

/// <summary>A video refused at intake, with a machine-readable reason and the HTTP status to answer.</summary>
public sealed class InvalidVideoException(string reasonCode, string message, int statusCode = 400) : Exception(message)
{
    /// <summary>E.g. <c>not-a-video</c>, <c>unsupported-codec</c>, <c>too-long</c>, <c>too-large</c>, <c>no-face</c>.</summary>
    public string ReasonCode { get; } = reasonCode;

    /// <summary>400, 413 or 422.</summary>
    public int StatusCode { get; } = statusCode;
}
