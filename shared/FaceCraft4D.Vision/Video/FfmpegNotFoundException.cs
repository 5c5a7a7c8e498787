namespace FaceCraft4D.Vision.Video;

/// <summary>The ffmpeg or ffprobe executable is not where <see cref="FfmpegOptions.FfmpegPath"/> (or PATH) says.</summary>
public sealed class FfmpegNotFoundException(string message) : InvalidOperationException(message);
