namespace FaceCraft4D.Vision.Video;

/// <summary>An ffmpeg process exited with an error; the message carries the end of its log.</summary>
public sealed class FfmpegFailedException(string message) : IOException(message);
