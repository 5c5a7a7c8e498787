namespace FaceCraft4D.Vision.Video;

/// <summary>The reason codes and HTTP statuses of <see cref="InvalidVideoException"/> raised at intake.</summary>
public static class VideoRefusals
{
    /// <summary>Not a file FFmpeg can read as a video (or no video stream): 400.</summary>
    public const string NotAVideo = "not-a-video";

    /// <summary>A video codec outside <see cref="VideoLimits.AllowedCodecs"/>: 422.</summary>
    public const string UnsupportedCodec = "unsupported-codec";

    /// <summary>Longer than <see cref="VideoLimits.MaxDurationSeconds"/>: 422.</summary>
    public const string TooLong = "too-long";

    /// <summary>More bytes than <see cref="VideoLimits.MaxBytes"/> (413), or a picture larger than <see cref="VideoLimits.MaxSide"/> (422).</summary>
    public const string TooLarge = "too-large";

    /// <summary>A picture whose shorter side is under <see cref="VideoLimits.MinSide"/>: 422.</summary>
    public const string TooSmall = "too-small";

    /// <summary>A refusal of a file that is not a readable video.</summary>
    public static InvalidVideoException NotAVideoFile(string fileName, string why) =>
        new(NotAVideo, $"'{fileName}' is not a video FFmpeg can read ({why}).", 400);
}
