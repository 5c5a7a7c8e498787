using FaceCraft4D.Contracts;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.Pipeline.Orchestration;

/// <summary>
/// The orchestration's building blocks: run a stage's work items (one or a fan-out) as activities, or a long
/// stage as a polled job sub-orchestration, keeping <see cref="RunTracker"/> and the custom status current.
/// Deterministic: uses only the orchestration context.
/// </summary>
public sealed class RunSteps(TaskOrchestrationContext context, RunInput input, PipelinePlan plan, RunTracker tracker)
{
    /// <summary>Publishes the tracker as the orchestration's custom status.</summary>
    public void Publish() => context.SetCustomStatus(tracker.Snapshot());

    /// <summary>Runs a single-item stage: a long one (<see cref="PipelineStages.IsLongRunning"/>) as a polled job sub-orchestration.</summary>
    public async Task<StageOutcome> SingleAsync(PipelineStage stage, IReadOnlyDictionary<string, BlobRef> inputs) =>
        stage.IsLongRunning() ? await JobAsync(stage, inputs) : (await FanOutAsync(stage, _ => inputs))[0];

    /// <summary>
    /// Runs every planned work item of a stage in parallel (fan-out), at most <see cref="RunPolicy.MaxParallelWorkItems"/>
    /// in flight at once (the next item in plan order starts as one finishes), and collects the outcomes in plan order
    /// (fan-in). Progress is published as each item completes. Deterministic: the order of starts depends only on the
    /// order of completions, which the orchestration history replays.
    /// </summary>
    public async Task<IReadOnlyList<StageOutcome>> FanOutAsync(
        PipelineStage stage, Func<PlannedWorkItem, IReadOnlyDictionary<string, BlobRef>> inputsFor)
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
            var task = context.CallActivityAsync<StageOutcome>(DurableNames.RunStageActivity, Request(item, inputsFor(item)), retry);
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
            var outcome = await context.CallSubOrchestratorAsync<StageOutcome>(
                DurableNames.StageJobOrchestrator,
                new StageJobInput(Request(item, inputs), input.Policy),
                new SubOrchestrationOptions { InstanceId = DurableNames.StageJobInstanceId(context.InstanceId, stage) });
            tracker.Complete(outcome, context.CurrentUtcDateTime);
            Publish();
            return outcome;
        }
        catch (TaskFailedException e)
        {
            throw Failed(stage, e);
        }
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
