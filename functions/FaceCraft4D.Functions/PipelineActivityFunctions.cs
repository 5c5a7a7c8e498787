using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Activities;
using Microsoft.Azure.Functions.Worker;

namespace FaceCraft4D.Functions;

/// <summary>The pipeline's activities as Durable Functions, delegating to the shared activity logic.</summary>
public sealed class PipelineActivityFunctions(StageActivityRunner runner, ManifestWriter manifests)
{
    /// <summary>Runs (or reuses) one short stage work item.</summary>
    [Function(DurableNames.RunStageActivity)]
    public Task<StageOutcome> RunStage([ActivityTrigger] StageRequest request, CancellationToken cancellationToken) =>
        runner.RunStageAsync(request, cancellationToken);

    /// <summary>Submits (or reuses) a long stage's job.</summary>
    [Function(DurableNames.SubmitStageJobActivity)]
    public Task<JobPoll> SubmitStageJob([ActivityTrigger] StageRequest request, CancellationToken cancellationToken) =>
        runner.SubmitJobAsync(request, cancellationToken);

    /// <summary>Polls a long stage's job.</summary>
    [Function(DurableNames.PollStageJobActivity)]
    public Task<JobPoll> PollStageJob([ActivityTrigger] StageRequest request, CancellationToken cancellationToken) =>
        runner.PollJobAsync(request, cancellationToken);

    /// <summary>Writes the run manifest.</summary>
    [Function(DurableNames.WriteManifestActivity)]
    public Task<BlobRef> WriteManifest([ActivityTrigger] RunManifest manifest, CancellationToken cancellationToken) =>
        manifests.WriteAsync(manifest, cancellationToken);
}
