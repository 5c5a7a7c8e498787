using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Orchestration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace FaceCraft4D.Functions;

/// <summary>The pipeline's orchestrators as Durable Functions (the same code the local host registers).</summary>
public static class PipelineOrchestratorFunctions
{
    /// <summary>One avatar run.</summary>
    [Function(DurableNames.AvatarRunOrchestrator)]
    public static Task<RunOutput> AvatarRun([OrchestrationTrigger] TaskOrchestrationContext context) =>
        AvatarRunOrchestrator.RunAsync(context, context.GetInput<RunInput>() ?? throw new InvalidOperationException("AvatarRun needs a RunInput."));

    /// <summary>One long stage as a polled worker job.</summary>
    [Function(DurableNames.StageJobOrchestrator)]
    public static Task<StageOutcome> StageJob([OrchestrationTrigger] TaskOrchestrationContext context) =>
        StageJobOrchestrator.RunAsync(context, context.GetInput<StageJobInput>() ?? throw new InvalidOperationException("StageJob needs a StageJobInput."));
}
