namespace FaceCraft4D.Vision.Video;

/// <summary>What a user video may be at intake (section <c>Fc4d:Video</c>), checked by <see cref="VideoIntakeValidator"/>.</summary>
public sealed class VideoLimits
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Fc4d:Video";

    /// <summary>Longest accepted video, in seconds (2 minutes).</summary>
    public double MaxDurationSeconds { get; set; } = 120;

    /// <summary>Largest accepted file, in bytes (256 MiB).</summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Accepted video codecs, as FFmpeg names them.</summary>
    public List<string> AllowedCodecs { get; set; } = ["h264", "hevc", "vp9", "vp8", "av1", "mpeg4"];

    /// <summary>Smallest accepted shorter side of the displayed picture, in pixels.</summary>
    public int MinSide { get; set; } = 64;

    /// <summary>Largest accepted longer side of the displayed picture, in pixels.</summary>
    public int MaxSide { get; set; } = 4096;
}
