using FaceCraft4D.Contracts;
using Microsoft.DurableTask;

namespace FaceCraft4D.Pipeline.Activities;

// Adapters that expose the shared activity logic to the Durable Task worker (local host).
// The Functions app exposes the same logic through [ActivityTrigger] functions of the same names.

/// <summary>Activity <see cref="DurableNames.RunStageActivity"/>.</summary>
public sealed class RunStageTaskActivity(StageActivityRunner runner) : TaskActivity<StageRequest, StageOutcome>
{
    /// <inheritdoc />
    public override Task<StageOutcome> RunAsync(TaskActivityContext context, StageRequest input) =>
        runner.RunStageAsync(input, CancellationToken.None);
}

/// <summary>Activity <see cref="DurableNames.SubmitStageJobActivity"/>.</summary>
public sealed class SubmitStageJobTaskActivity(StageActivityRunner runner) : TaskActivity<StageRequest, JobPoll>
{
    /// <inheritdoc />
    public override Task<JobPoll> RunAsync(TaskActivityContext context, StageRequest input) =>
        runner.SubmitJobAsync(input, CancellationToken.None);
}

/// <summary>Activity <see cref="DurableNames.PollStageJobActivity"/>.</summary>
public sealed class PollStageJobTaskActivity(StageActivityRunner runner) : TaskActivity<StageRequest, JobPoll>
{
    /// <inheritdoc />
    public override Task<JobPoll> RunAsync(TaskActivityContext context, StageRequest input) =>
        runner.PollJobAsync(input, CancellationToken.None);
}

/// <summary>Activity <see cref="DurableNames.WriteManifestActivity"/>.</summary>
public sealed class WriteManifestTaskActivity(ManifestWriter writer) : TaskActivity<RunManifest, BlobRef>
{
    /// <inheritdoc />
    public override Task<BlobRef> RunAsync(TaskActivityContext context, RunManifest input) =>
        writer.WriteAsync(input, CancellationToken.None);
}
