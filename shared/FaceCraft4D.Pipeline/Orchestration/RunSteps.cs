using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Activities;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.Pipeline.Orchestration;

/// <summary>
/// The orchestration's building blocks: run a stage's work items (one or a fan-out) as activities or per-item job
/// sub-orchestrations, or a long stage as a polled job sub-orchestration, keeping <see cref="RunTracker"/> and the custom status current.
/// Deterministic: uses only the orchestration context.
/// </summary>
public sealed class RunSteps(TaskOrchestrationContext context, RunInput input, PipelinePlan plan, RunTracker tracker)
{
    /// <summary>Publishes the tracker as the orchestration's custom status.</summary>
    public void Publish() => context.SetCustomStatus(tracker.Snapshot());

    /// <summary>
    /// Runs a single-item stage: a long one (<see cref="PipelineStages.IsLongRunning"/>) as a polled job sub-orchestration,
    /// a short one as one activity.
    /// </summary>
    public async Task<StageOutcome> SingleAsync(PipelineStage stage, IReadOnlyDictionary<string, BlobRef> inputs) =>
        stage.IsLongRunning() ? await JobAsync(stage, inputs) : (await WorkItemsAsync(stage, _ => inputs, asJobs: false))[0];

    /// <summary>
    /// Runs every planned work item of a stage in parallel (fan-out), at most <see cref="RunPolicy.MaxParallelWorkItems"/>
    /// in flight at once (the next item in plan order starts as one finishes), and collects the outcomes in plan order
    /// (fan-in). Progress is published as each item completes. Deterministic: the order of starts depends only on the
    /// order of completions, which the orchestration history replays. With <see cref="RunPolicy.WorkItemsAsJobs"/> (every
    /// run started since it exists) each item is a job sub-orchestration (<see cref="StageJobOrchestrator"/>, instance
    /// <see cref="DurableNames.WorkItemJobInstanceId"/>): submitted, then polled on durable timers, so an item may run
    /// for hours and a host crash loses no poll; without it (older runs' histories) each item is one activity.
    /// </summary>
    public Task<IReadOnlyList<StageOutcome>> FanOutAsync(
        PipelineStage stage, Func<PlannedWorkItem, IReadOnlyDictionary<string, BlobRef>> inputsFor) =>
        WorkItemsAsync(stage, inputsFor, input.Policy.WorkItemsAsJobs);

    private async Task<IReadOnlyList<StageOutcome>> WorkItemsAsync(
        PipelineStage stage, Func<PlannedWorkItem, IReadOnlyDictionary<string, BlobRef>> inputsFor, bool asJobs)
    {
        tracker.Start(stage, context.CurrentUtcDateTime);
        var items = plan.WorkItems(stage);
        var retry = StageRetry.For(stage, input.Policy, tracker);
        var degree = Math.Max(1, input.Policy.MaxParallelWorkItems);
        var indexOf = new Dictionary<Task<StageOutcome>, int>();
        var pending = new List<Task<StageOutcome>>();
        var next = 0;

        void StartNext()
        {
            var item = items[next];
            tracker.CountAttempt(stage);
            var request = Request(item, inputsFor(item));
            var task = asJobs
                ? StageJobAsync(request, DurableNames.WorkItemJobInstanceId(context.InstanceId, stage, item.Key))
                : context.CallActivityAsync<StageOutcome>(DurableNames.RunStageActivity, request, retry);
            indexOf[task] = next++;
            pending.Add(task);
        }

        while (next < items.Count && pending.Count < degree)
        {
            StartNext();
        }

        Publish();
        var results = new StageOutcome[items.Count];
        while (pending.Count > 0)
        {
            var finished = await Task.WhenAny(pending);
            pending.Remove(finished);
            try
            {
                var outcome = await finished;
                results[indexOf[finished]] = outcome;
                tracker.Complete(outcome, context.CurrentUtcDateTime);
            }
            catch (TaskFailedException e)
            {
                throw Failed(stage, e);
            }

            if (next < items.Count)
            {
                StartNext();
            }

            Publish();
        }

        return results;
    }

    /// <summary>Runs a long stage as a job sub-orchestration (submit, then poll on durable timers).</summary>
    public async Task<StageOutcome> JobAsync(PipelineStage stage, IReadOnlyDictionary<string, BlobRef> inputs)
    {
        tracker.Start(stage, context.CurrentUtcDateTime);
        tracker.CountAttempt(stage);
        tracker.Detail(stage, "submitted");
        Publish();
        var item = plan.WorkItems(stage)[0];
        try
        {
            var outcome = await StageJobAsync(Request(item, inputs), DurableNames.StageJobInstanceId(context.InstanceId, stage));
            tracker.Complete(outcome, context.CurrentUtcDateTime);
            Publish();
            return outcome;
        }
        catch (TaskFailedException e)
        {
            throw Failed(stage, e);
        }
    }

    /// <summary>
    /// One job: with <see cref="RunPolicy.JobsSubmittedByRun"/> this orchestration submits it (the job starts one durable hop
    /// earlier; a checkpoint's outcome returns at once, without a sub-orchestration) and the job sub-orchestration
    /// <paramref name="instanceId"/> watches the submitted job; otherwise (older runs' histories) the sub-orchestration submits too.
    /// </summary>
    private async Task<StageOutcome> StageJobAsync(StageRequest request, string instanceId)
    {
        var job = new StageJobInput(request, input.Policy);
        if (input.Policy.JobsSubmittedByRun)
        {
            var submitted = await context.CallActivityAsync<JobPoll>(
                DurableNames.SubmitStageJobActivity, request, StageRetry.For(request.Stage, input.Policy, tracker: null));
            if (submitted.Outcome is { } reused)
            {
                return reused;
            }

            job = job with { Submitted = true, FirstState = submitted.State };
        }

        return await context.CallSubOrchestratorAsync<StageOutcome>(
            DurableNames.StageJobOrchestrator, job, new SubOrchestrationOptions { InstanceId = instanceId });
    }

    private StageRequest Request(PlannedWorkItem item, IReadOnlyDictionary<string, BlobRef> inputs) =>
        new(input.RunId, item.Stage, item.Key, inputs, input.Settings, item.Parameters);

    private PipelineStageFailedException Failed(PipelineStage stage, TaskFailedException e)
    {
        // Clients read the custom status and the failure: only a user-facing reason goes there; the raw text is logged.
        var root = Innermost(e.FailureDetails);
        var reason = StageFailureReasons.ForClients(e.FailureDetails);
        if (reason != root?.ErrorMessage)
        {
            context.CreateReplaySafeLogger(typeof(RunSteps).FullName!).LogWarning(
                "Run {RunId} stage {Stage} failed ({ErrorType}): {Error}", input.RunId, stage.Slug(), root?.ErrorType, root?.ErrorMessage ?? e.Message);
        }

        tracker.Fail(stage, reason);
        Publish();
        return new PipelineStageFailedException(stage, reason);
    }

    private static TaskFailureDetails? Innermost(TaskFailureDetails? failure)
    {
        // Sub-orchestration failures wrap the activity's failure: show the root cause once.
        var f = failure;
        while (f?.InnerFailure is not null && f.ErrorType == typeof(PipelineStageFailedException).FullName)
        {
            f = f.InnerFailure;
        }

        return f;
    }
}
