namespace FaceCraft4D.Vision.Video;

/// <summary>Where the FFmpeg binaries are and how videos are encoded (section <c>Fc4d:Video</c>).</summary>
public sealed class FfmpegOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Fc4d:Video";

    /// <summary>
    /// The folder holding <c>ffmpeg</c> and <c>ffprobe</c>, or the path of the <c>ffmpeg</c> executable (its <c>ffprobe</c>
    /// sits beside it). Empty: both are looked up on <c>PATH</c> (Debian's <c>ffmpeg</c> package puts them in /usr/bin).
    /// </summary>
    public string FfmpegPath { get; set; } = "";

    /// <summary>libx264 preset of the MP4 previews.</summary>
    public string X264Preset { get; set; } = "veryfast";

    /// <summary>libx264 constant rate factor of the MP4 previews (lower is better; 18-23 is visually good).</summary>
    public int X264Crf { get; set; } = 20;
}
