using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Activities;
using FaceCraft4D.Pipeline.Animations;
using FaceCraft4D.Pipeline.Evaluation;
using FaceCraft4D.Pipeline.Orchestration;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;

namespace FaceCraft4D.Pipeline;

/// <summary>Function-style registration of the pipeline's orchestrators and activities (no source generator).</summary>
public static class PipelineTaskRegistry
{
    /// <summary>Adds every orchestrator and activity of the pipeline under <see cref="DurableNames"/>.</summary>
    public static DurableTaskRegistry AddFc4dTasks(this DurableTaskRegistry registry)
    {
        registry.AddOrchestratorFunc<RunInput, RunOutput>(DurableNames.AvatarRunOrchestrator, AvatarRunOrchestrator.RunAsync);
        registry.AddOrchestratorFunc<StageJobInput, StageOutcome>(DurableNames.StageJobOrchestrator, StageJobOrchestrator.RunAsync);
        registry.AddActivity(DurableNames.RunStageActivity, sp => ActivatorUtilities.CreateInstance<RunStageTaskActivity>(sp));
        registry.AddActivity(DurableNames.SubmitStageJobActivity, sp => ActivatorUtilities.CreateInstance<SubmitStageJobTaskActivity>(sp));
        registry.AddActivity(DurableNames.PollStageJobActivity, sp => ActivatorUtilities.CreateInstance<PollStageJobTaskActivity>(sp));
        registry.AddActivity(DurableNames.WriteManifestActivity, sp => ActivatorUtilities.CreateInstance<WriteManifestTaskActivity>(sp));
        registry.AddOrchestratorFunc<EvaluationBatchInput, EvaluationBatchOutput>(DurableNames.EvaluationBatchOrchestrator, EvaluationBatchOrchestrator.RunAsync);
        registry.AddActivity(DurableNames.ListEvaluationSetActivity, sp => ActivatorUtilities.CreateInstance<ListEvaluationSetTaskActivity>(sp));
        registry.AddActivity(DurableNames.PrepareEvaluationRunActivity, sp => ActivatorUtilities.CreateInstance<PrepareEvaluationRunTaskActivity>(sp));
        registry.AddActivity(DurableNames.WriteEvaluationReportActivity, sp => ActivatorUtilities.CreateInstance<WriteEvaluationReportTaskActivity>(sp));
        registry.AddOrchestratorFunc<VideoAnimationInput, VideoAnimationOutput>(DurableNames.VideoAnimationOrchestrator, VideoAnimationOrchestrator.RunAsync);
        registry.AddActivity(DurableNames.PublishAnimationActivity, sp => ActivatorUtilities.CreateInstance<PublishAnimationTaskActivity>(sp));
        return registry;
    }
}
