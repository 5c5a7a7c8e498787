namespace FaceCraft4D.Contracts;

/// <summary>Configuration section <c>Fc4d:Pipeline</c>.</summary>
public sealed class PipelineOptions
{
    public const string SectionName = "Fc4d:Pipeline";

    /// <summary>Preset used when a request names none.</summary>
    public string Preset { get; set; } = PipelinePresets.PreviewName;

    /// <summary>The retry and polling policy captured into each new run (so replays never see changed configuration).</summary>
    public RunPolicy ToRunPolicy() => new(
        JobPollInterval, MaxJobPollInterval, ActivityMaxAttempts, ActivityFirstRetryDelay, ActivityMaxRetryDelay, JobPollsPerGeneration,
        Math.Max(1, MaxParallelWorkItems), WorkItemsAsJobs, RunIdentity.PipelineVersion, JobsSubmittedByRun);

    /// <summary>How often the orchestrator polls a long-running worker job.</summary>
    public TimeSpan JobPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest interval between polls once a job has run for a while (polling backs off to this).</summary>
    public TimeSpan MaxJobPollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Polls of a long job per orchestration history generation (continue-as-new keeps histories short).</summary>
    public int JobPollsPerGeneration { get; set; } = 60;

    /// <summary>Most work items of one fan-out (e.g. animate-view's source views x clips) in flight at once; the rest wait for a free slot.</summary>
    public int MaxParallelWorkItems { get; set; } = 16;

    /// <summary>
    /// New runs run every fan-out work item (enhance-view, animate-view, a video animation's track-video chunks) as a
    /// job sub-orchestration polled on durable timers (no time limit from the host, survives host restarts); false: as
    /// one activity that polls its job in-process for at most <c>Fc4d:GpuWorker:StageTimeout</c> (the behaviour of runs
    /// started before this option existed).
    /// </summary>
    public bool WorkItemsAsJobs { get; set; } = true;

    /// <summary>
    /// New runs submit each job (a long stage, a fan-out work item) from the run's orchestration and start its job
    /// sub-orchestration only to watch it (<see cref="RunPolicy.JobsSubmittedByRun"/>): one durable hop less between a stage's
    /// inputs being ready and its job starting at the worker. False: the sub-orchestration submits (runs started before this
    /// option existed).
    /// </summary>
    public bool JobsSubmittedByRun { get; set; } = true;

    /// <summary>Attempts of one activity (durable retry) before the stage fails.</summary>
    public int ActivityMaxAttempts { get; set; } = 5;

    /// <summary>Delay before the first activity retry; doubles each retry.</summary>
    public TimeSpan ActivityFirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of the activity retry delay.</summary>
    public TimeSpan ActivityMaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);
}
