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
}
