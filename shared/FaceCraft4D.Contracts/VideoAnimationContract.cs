namespace FaceCraft4D.Contracts;

/// <summary>
/// The names shared by the video-driven animation job (issue 15): the orchestrator that fans out
/// <see cref="PipelineStage.TrackVideo"/> over chunks of frames and fans in with <see cref="PipelineStage.VideoClip"/>,
/// and the worker handlers of those two stages. An animation job belongs to a finished run (<c>RunId</c>) and is named by
/// its animation id (<c>anim-</c> + 16 hex of its content hash), which prefixes every work-item key so several jobs on one
/// run never share a stage folder.
/// </summary>
public static class VideoAnimationContract
{
    /// <summary>Where a video uploaded for a run lands (blob trigger): <c>uploads/animations/{runId}/{fileName}</c>.</summary>
    public const string UploadPrefix = "animations/";

    /// <summary>The clip frame rate a video is resampled to by default.</summary>
    public const double DefaultFps = 25;

    /// <summary>Frames per <see cref="PipelineStage.TrackVideo"/> work item by default.</summary>
    public const int DefaultChunkFrames = 50;

    /// <summary>Frames a chunk also tracks past each of its borders, for smoothing across chunks.</summary>
    public const int DefaultChunkOverlap = 4;

    /// <summary>Key of a tracking chunk, e.g. <c>anim-0123456789abcdef-chunk-003</c>.</summary>
    public static string ChunkKey(string animationId, int chunk) => $"{animationId}-chunk-{chunk:D3}";

    /// <summary>Key of the fan-in work item: the animation id itself.</summary>
    public static string ClipKey(string animationId) => animationId;

    /// <summary>The stored video of an animation job: <c>runs/{runId}/animations/{animationId}/input/{fileName}</c>.</summary>
    public static BlobRef VideoInput(string runId, string animationId, string fileName) =>
        new(StorageLayout.RunsContainer, $"{runId}/animations/{animationId}/input/{fileName}");

    /// <summary>Work-item parameter and input names of both stages.</summary>
    public static class Names
    {
        // Parameters (both stages).
        public const string AnimationId = "animation";     // the animation id
        public const string ClipName = "name";             // the clip's name as the viewer lists it
        public const string Fps = "fps";                   // resampled frame rate (invariant culture)
        public const string Mode = "mode";                 // "relative" (default) or "absolute" expression transfer
        // TrackVideo parameters.
        public const string FirstFrame = "first_frame";    // first frame of the chunk's own range (at Fps)
        public const string FrameCount = "frame_count";    // frames the chunk owns (excluding overlap)
        public const string Overlap = "overlap";           // extra frames tracked on each side
        public const string TotalFrames = "total_frames";  // frames of the whole resampled video
        // VideoClip parameters.
        public const string ChunkCount = "chunks";

        // Inputs.
        public const string Video = "video";               // the uploaded video
        public const string Rig = "avatar/rig";            // avatars/{runId}/avatar_rig.safetensors (identity, faces, binding)
        public static string ChunkTrack(int chunk) => $"track-video/{chunk:D3}";   // a chunk's TrackFile output
    }

    /// <summary>Output file names.</summary>
    public static class Files
    {
        /// <summary>TrackVideo: per-frame FLAME parameters, landmarks, face flags and errors (safetensors).</summary>
        public const string TrackFile = "track.safetensors";
        /// <summary>TrackVideo: summary JSON (frames, faces found, several-faces note, mean error, backend).</summary>
        public const string TrackSummary = "track.json";
        /// <summary>VideoClip: the clip in <c>fc4d-avatar-animation/1</c> format.</summary>
        public const string Clip = "clip.safetensors";
        /// <summary>VideoClip: the driving video beside the avatar, source audio kept.</summary>
        public const string PreviewMp4 = "preview.mp4";
        /// <summary>VideoClip: the same side by side, as a GIF.</summary>
        public const string PreviewGif = "preview.gif";
        /// <summary>VideoClip: report JSON (per-frame reprojection error / IOD, jaw-lip correlation, backend, warnings).</summary>
        public const string Report = "report.json";
    }
}
