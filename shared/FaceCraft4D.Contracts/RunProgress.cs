namespace FaceCraft4D.Contracts;

/// <summary>State of one stage in the run's custom status.</summary>
public enum StageState
{
    Pending,
    Running,
    Completed,
    Failed,
}

/// <summary>Per-stage progress shown by the status endpoint and the CLI.</summary>
/// <param name="Name">Stage slug.</param>
/// <param name="State">Where it is.</param>
/// <param name="Done">Work items finished.</param>
/// <param name="Total">Work items in all.</param>
/// <param name="Reused">Work items answered from a checkpoint without a worker call.</param>
/// <param name="Attempts">Activity attempts, retries included.</param>
/// <param name="Backend">Backend(s) that produced the outputs.</param>
/// <param name="Detail">E.g. training iteration and losses of a long job.</param>
/// <param name="Timing">Once the stage completed: its wall time, stage work, overhead and peak memory.</param>
public sealed record StageProgress(
    string Name,
    StageState State,
    int Done,
    int Total,
    int Reused,
    int Attempts,
    string? Backend = null,
    string? Detail = null,
    StageTiming? Timing = null);

/// <summary>The orchestration's custom status: the whole run at a glance.</summary>
public sealed record RunProgress(
    string RunId,
    string Preset,
    IReadOnlyList<StageProgress> Stages,
    string? CurrentStage,
    string? Message);
