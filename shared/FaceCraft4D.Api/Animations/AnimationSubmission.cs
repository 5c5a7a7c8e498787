namespace FaceCraft4D.Api.Animations;

/// <summary>The answer to an animation submission.</summary>
/// <param name="RunId">The avatar run.</param>
/// <param name="AnimationId">The job (<c>anim-...</c>).</param>
/// <param name="Name">The clip name.</param>
/// <param name="Created">False when an identical job (same video, name, fps, mode) already existed.</param>
/// <param name="RuntimeStatus">The job's durable status.</param>
/// <param name="Notes">Screening notes, e.g. several faces (the largest is tracked).</param>
public sealed record AnimationSubmission(string RunId, string AnimationId, string Name, bool Created, string RuntimeStatus, IReadOnlyList<string> Notes);
