using FaceCraft4D.Contracts;

namespace FaceCraft4D.Pipeline.Animations;

/// <summary>Input of the publish activity: the fan-in's outputs and where they go in the avatar folder.</summary>
/// <param name="RunId">The avatar run.</param>
/// <param name="AnimationId">The job.</param>
/// <param name="Name">Clip name (file stem).</param>
/// <param name="Fps">Clip frame rate.</param>
/// <param name="TotalFrames">Frames of the clip (used when the clip file does not say).</param>
/// <param name="Clip">The fan-in's outputs by name.</param>
public sealed record AnimationPublication(
    string RunId, string AnimationId, string Name, double Fps, int TotalFrames, IReadOnlyDictionary<string, BlobRef> Clip);

/// <summary>Where a published clip is, relative to <c>avatars/{runId}/</c>.</summary>
public static class PublishedAnimationFiles
{
    /// <summary><c>animation/index.json</c>, the list the viewer plays from.</summary>
    public const string Index = "animation/index.json";

    /// <summary>Source label of clips made from a user's video.</summary>
    public const string VideoSource = "video";

    /// <summary><c>animation/{name}.safetensors</c>.</summary>
    public static string Clip(string name) => $"animation/{name}.safetensors";

    /// <summary><c>preview/{name}.mp4</c>, the driving video beside the avatar.</summary>
    public static string PreviewMp4(string name) => $"preview/{name}.mp4";

    /// <summary><c>preview/{name}.gif</c>.</summary>
    public static string PreviewGif(string name) => $"preview/{name}.gif";
}
