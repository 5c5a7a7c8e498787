using FaceCraft4D.Contracts;

namespace FaceCraft4D.Pipeline.Animations;

/// <summary>What a finished video animation job produced.</summary>
/// <param name="RunId">The avatar run.</param>
/// <param name="AnimationId">The job.</param>
/// <param name="Name">The clip's name in <c>animation/index.json</c>.</param>
/// <param name="Artifacts">Published files by their name under <c>avatars/{runId}/</c> (clip, previews, index).</param>
/// <param name="Backends">Backend per stage slug (track-video, video-clip).</param>
/// <param name="Stages">Final per-stage progress.</param>
/// <param name="Report">The fan-in's report (<c>report.json</c> in the stage folder), when it wrote one.</param>
public sealed record VideoAnimationOutput(
    string RunId,
    string AnimationId,
    string Name,
    IReadOnlyDictionary<string, BlobRef> Artifacts,
    IReadOnlyDictionary<string, string> Backends,
    IReadOnlyList<StageProgress> Stages,
    BlobRef? Report);
