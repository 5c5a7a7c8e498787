using FaceCraft4D.Contracts;

namespace FaceCraft4D.Pipeline.Orchestration;

/// <summary>Fails the run orchestration with the stage and the reason in the message.</summary>
public sealed class PipelineStageFailedException(PipelineStage stage, string reason)
    : Exception($"Stage {stage.Slug()} failed: {reason}")
{
    /// <summary>The stage that failed.</summary>
    public PipelineStage Stage { get; } = stage;
}
