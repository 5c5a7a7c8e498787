namespace FaceCraft4D.Contracts;

/// <summary>
/// Retry and polling numbers of one run (<paramref name="JobPollsPerGeneration"/>: polls of a long job before its
/// orchestration continues as new, which keeps its history short; <paramref name="MaxParallelWorkItems"/>: activities a
/// fan-out keeps in flight at once, so a stage of many work items never floods the queues; <paramref name="WorkItemsAsJobs"/>:
/// every fan-out work item runs as its own job sub-orchestration, submitted and then polled on durable timers, instead of
/// one activity that polls its job in-process). Part of the orchestration input, so that orchestrator code reads
/// nothing but its input and its context (determinism across replays and configuration changes). Inputs stored before
/// <paramref name="WorkItemsAsJobs"/> existed read it as false, so their histories (work items as activities) replay unchanged.
/// <paramref name="PipelineVersion"/>: the <see cref="RunIdentity.PipelineVersion"/> the run was started under, which picks the
/// stage graph the orchestrator replays; inputs stored before it existed read 2 (version 3: TrainStatic is submitted before
/// the animate-view fan-out, Evaluate runs beside Export from TrainCoin's avatar).
/// <paramref name="JobsSubmittedByRun"/>: the run's orchestration submits each job itself (one activity) and starts the job's
/// sub-orchestration only to watch the submitted job (polls on durable timers, resubmission), instead of starting the
/// sub-orchestration first and letting it submit: the job reaches the worker one durable hop (a control-queue message and a
/// sub-orchestration episode) earlier, and a work item reused from its checkpoint needs no sub-orchestration at all. Inputs
/// stored before it existed read it as false, so their histories (the sub-orchestration submits) replay unchanged.
/// </summary>
public sealed record RunPolicy(
    TimeSpan JobPollInterval,
    TimeSpan MaxJobPollInterval,
    int ActivityMaxAttempts,
    TimeSpan ActivityFirstRetryDelay,
    TimeSpan ActivityMaxRetryDelay,
    int JobPollsPerGeneration = 60,
    int MaxParallelWorkItems = 16,
    bool WorkItemsAsJobs = false,
    int PipelineVersion = 2,
    bool JobsSubmittedByRun = false)
{
    /// <summary>Defaults of <see cref="PipelineOptions"/>.</summary>
    public static RunPolicy Default { get; } = new PipelineOptions().ToRunPolicy();

    /// <summary>Delay before retry number <paramref name="retry"/> (1-based): exponential, capped.</summary>
    public TimeSpan RetryDelay(int retry)
    {
        var factor = Math.Pow(2, Math.Clamp(retry - 1, 0, 20));
        var delay = TimeSpan.FromTicks((long)Math.Min(ActivityFirstRetryDelay.Ticks * factor, ActivityMaxRetryDelay.Ticks));
        return delay;
    }

    /// <summary>Poll interval after <paramref name="polls"/> polls: starts at the base, grows 1.5x per poll, capped.</summary>
    public TimeSpan PollDelay(int polls)
    {
        var factor = Math.Pow(1.5, Math.Clamp(polls, 0, 40));
        return TimeSpan.FromTicks((long)Math.Min(JobPollInterval.Ticks * factor, MaxJobPollInterval.Ticks));
    }
}
