using FaceCraft4D.Contracts;

namespace FaceCraft4D.Pipeline.Animations;

/// <summary>How the tracked expression is put on the avatar (issue 15).</summary>
public enum ExpressionTransfer
{
    /// <summary>Deltas from the video's first neutral-ish frame applied to the avatar's neutral (LivePortrait's way; default).</summary>
    Relative,

    /// <summary>The tracked expression as it is.</summary>
    Absolute,
}

/// <summary>
/// The orchestration input of one video animation job on a finished run: everything <see cref="VideoAnimationOrchestrator"/>
/// may read (it reads nothing else, so replays are deterministic).
/// </summary>
/// <param name="RunId">The finished avatar run.</param>
/// <param name="AnimationId"><see cref="AnimationIdentity.For"/>.</param>
/// <param name="Video">The stored video (<see cref="VideoAnimationContract.VideoInput"/>, with its SHA-256).</param>
/// <param name="Rig">The avatar's rig (<c>avatars/{runId}/avatar_rig.safetensors</c>, with its SHA-256 when known).</param>
/// <param name="Name">Clip name as the viewer lists it (a file stem).</param>
/// <param name="Fps">Clip frame rate the video is resampled to.</param>
/// <param name="Mode">Expression transfer.</param>
/// <param name="ChunkFrames">Frames per tracking work item.</param>
/// <param name="Overlap">Frames a chunk also tracks past each border.</param>
/// <param name="TotalFrames">Frames of the resampled video.</param>
/// <param name="MaxParallelChunks">Tracking work items in flight at once (bounded fan-out).</param>
/// <param name="Settings">The run's settings (part of every work item's input hash, as in the run).</param>
/// <param name="Policy">Retry policy captured at submission.</param>
/// <param name="Notes">Screening notes shown with the job (e.g. several faces: the largest is tracked).</param>
/// <param name="RunInputs">
/// The finished run's stage outputs both video stages read besides the video and the rig (the avatar's head model and
/// camera: <c>shape-prior/*</c>, and <c>track-flame/*</c> when the run has it), named as <see cref="Orchestration.StageInputs.From"/> names them.
/// </param>
public sealed record VideoAnimationInput(
    string RunId,
    string AnimationId,
    BlobRef Video,
    BlobRef Rig,
    string Name,
    double Fps,
    ExpressionTransfer Mode,
    int ChunkFrames,
    int Overlap,
    int TotalFrames,
    int MaxParallelChunks,
    PipelineSettings Settings,
    RunPolicy Policy,
    IReadOnlyList<string>? Notes = null,
    IReadOnlyDictionary<string, BlobRef>? RunInputs = null)
{
    /// <summary>Durable instance id of the job: <c>{runId}.{animationId}</c> (so a run's jobs are listed by prefix).</summary>
    public string InstanceId => AnimationIdentity.InstanceId(RunId, AnimationId);
}
