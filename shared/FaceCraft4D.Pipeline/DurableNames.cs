namespace FaceCraft4D.Pipeline;

/// <summary>Names of the orchestrators and activities; both hosts register them under exactly these names.</summary>
public static class DurableNames
{
    public const string AvatarRunOrchestrator = "AvatarRun";
    public const string StageJobOrchestrator = "StageJob";
    public const string RunStageActivity = "RunStage";
    public const string SubmitStageJobActivity = "SubmitStageJob";
    public const string PollStageJobActivity = "PollStageJob";
    public const string WriteManifestActivity = "WriteManifest";
    public const string EvaluationBatchOrchestrator = "EvaluationBatch";
    public const string ListEvaluationSetActivity = "ListEvaluationSet";
    public const string PrepareEvaluationRunActivity = "PrepareEvaluationRun";
    public const string WriteEvaluationReportActivity = "WriteEvaluationReport";
    public const string VideoAnimationOrchestrator = "VideoAnimation";
    public const string PublishAnimationActivity = "PublishAnimation";

    /// <summary>Instance id of the sub-orchestration that runs a long stage of a run orchestration (the run id for user runs).</summary>
    public static string StageJobInstanceId(string runInstanceId, Contracts.PipelineStage stage) => $"{runInstanceId}.{Contracts.PipelineStages.Slug(stage)}";

    /// <summary>
    /// Instance id of the job sub-orchestration of one fan-out work item: <c>{parentInstanceId}.{stage-slug}.{itemKey}</c>
    /// (e.g. <c>fc4d-….enhance-view.view-05</c>; a video animation's chunk: <c>{runId}.{animationId}.track-video.{chunkKey}</c>).
    /// Deterministic, so a replay and a restarted run address the same instance.
    /// </summary>
    public static string WorkItemJobInstanceId(string parentInstanceId, Contracts.PipelineStage stage, string itemKey) =>
        $"{StageJobInstanceId(parentInstanceId, stage)}.{itemKey}";

    /// <summary>Prefix of every stage-job sub-orchestration id of a parent instance (long stages and fan-out work items).</summary>
    public static string StageJobInstancePrefix(string parentInstanceId) => $"{parentInstanceId}.";
}
