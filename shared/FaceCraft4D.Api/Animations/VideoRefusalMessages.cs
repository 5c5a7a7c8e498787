namespace FaceCraft4D.Api.Animations;

/// <summary>
/// The stable, user-facing answer to a worker's video-screen refusal (the worker's own text may carry decoder output or
/// paths: it is logged, not returned). An unknown code becomes <see cref="Unusable"/>.
/// </summary>
public static class VideoRefusalMessages
{
    /// <summary>Reason of a refusal whose code the API does not know.</summary>
    public const string Unusable = "unusable-video";

    private static readonly Dictionary<string, (string Message, int Status)> Known = new(StringComparer.Ordinal)
    {
        ["not-a-video"] = ("The file is not a video FFmpeg can read; upload an MP4, MOV or WebM file.", 400),
        ["unsupported-codec"] = ("The video's codec is not supported; use H.264, H.265 (HEVC), VP9, VP8, AV1 or MPEG-4.", 415),
        ["too-long"] = ("The video is too long; trim it to the allowed length (2 minutes by default).", 413),
        ["too-large"] = ("The video file is too large.", 413),
        ["too-small"] = ("The video's frames are too small to track a face.", 422),
        ["no-face"] = ("No face was found in most of the video's frames; upload a clip with one clearly visible face.", 422),
        [Unusable] = ("The video cannot drive an avatar; upload a clip with one clearly visible, talking face.", 422),
    };

    /// <summary>The stable reason code, message and status for a worker's reason code (any spelling: <c>no_face</c> or <c>no-face</c>).</summary>
    public static (string Reason, string Message, int Status) For(string? workerReason)
    {
        var code = workerReason?.Trim().ToLowerInvariant().Replace('_', '-');
        return code is not null && Known.TryGetValue(code, out var known)
            ? (code, known.Message, known.Status)
            : (Unusable, Known[Unusable].Message, Known[Unusable].Status);
    }
}
