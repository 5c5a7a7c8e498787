namespace FaceCraft4D.Contracts;

/// <summary>
/// The ten stages of the FaceCraft4D avatar pipeline (docs/architecture.md), in execution order, then the stages of a
/// video-driven animation job on a finished avatar (issue 15): <see cref="TrackVideo"/> per chunk of frames, fanned in by
/// <see cref="VideoClip"/>.
/// </summary>
public enum PipelineStage
{
    Preprocess,
    ShapePrior,
    EnhanceBackView,
    EnhanceView,
    AnimateView,
    TrackFlame,
    TrainStatic,
    TrainCoin,
    Export,
    Evaluate,
    TrackVideo,
    VideoClip,
}

/// <summary>Names and facts about stages that both hosts and the worker share.</summary>
public static class PipelineStages
{
    /// <summary>The avatar pipeline's ten stages in execution order (what a run's progress table lists).</summary>
    public static IReadOnlyList<PipelineStage> All { get; } =
        Enum.GetValues<PipelineStage>().Where(s => s < PipelineStage.TrackVideo).ToArray();

    /// <summary>The stages of a video-driven animation job on a finished avatar, in execution order.</summary>
    public static IReadOnlyList<PipelineStage> VideoAnimation { get; } = [PipelineStage.TrackVideo, PipelineStage.VideoClip];

    /// <summary>Every stage a worker can run: the pipeline's and the video animation job's.</summary>
    public static IReadOnlyList<PipelineStage> Every { get; } = Enum.GetValues<PipelineStage>();

    /// <summary>The route/blob segment of a stage, e.g. <c>enhance-view</c>.</summary>
    public static string Slug(this PipelineStage stage) => stage switch
    {
        PipelineStage.Preprocess => "preprocess",
        PipelineStage.ShapePrior => "shape-prior",
        PipelineStage.EnhanceBackView => "enhance-back-view",
        PipelineStage.EnhanceView => "enhance-view",
        PipelineStage.AnimateView => "animate-view",
        PipelineStage.TrackFlame => "track-flame",
        PipelineStage.TrainStatic => "train-static",
        PipelineStage.TrainCoin => "train-coin",
        PipelineStage.Export => "export",
        PipelineStage.Evaluate => "evaluate",
        PipelineStage.TrackVideo => "track-video",
        PipelineStage.VideoClip => "video-clip",
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, null),
    };

    /// <summary>Parses a slug produced by <see cref="Slug"/>; case-insensitive.</summary>
    public static bool TryParseSlug(string? slug, out PipelineStage stage)
    {
        foreach (var candidate in Every)
        {
            if (string.Equals(candidate.Slug(), slug, StringComparison.OrdinalIgnoreCase))
            {
                stage = candidate;
                return true;
            }
        }

        stage = default;
        return false;
    }

    /// <summary>
    /// Long stages run as asynchronous worker jobs that the orchestrator polls with durable timers (no activity waits on
    /// them): the single-item stages that take hours at the <c>paper</c> preset, training and FLAME tracking (every
    /// animate-view clip, tens of thousands of optimisation steps). Fan-out work items are polled the same way, each in its
    /// own job sub-orchestration (<c>RunPolicy.WorkItemsAsJobs</c>); the remaining single-item stages are polled inside one
    /// activity for at most <c>Fc4d:GpuWorker:StageTimeout</c>, which stays under the Functions host's <c>functionTimeout</c>.
    /// </summary>
    public static bool IsLongRunning(this PipelineStage stage) =>
        stage is PipelineStage.TrackFlame or PipelineStage.TrainStatic or PipelineStage.TrainCoin;
}
