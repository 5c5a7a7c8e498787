namespace FaceCraft4D.Contracts;

/// <summary>
/// When a work item's job ran at the worker and the peak memory of the processes involved: what the run's stage table
/// and the manifest's overhead figures are made from. Worker clock for the times.
/// </summary>
/// <param name="SubmittedAt">The job was accepted by the worker.</param>
/// <param name="StartedAt">Its handler started (after any wait for a free slot).</param>
/// <param name="CompletedAt">Its handler finished and the checkpoint was written.</param>
/// <param name="WorkerPeakRssMiB">Peak resident memory of the worker process when the job ended (null when not reported).</param>
/// <param name="HostPeakRssMiB">Peak resident memory of the orchestrating host process (where the activity ran) when it saw the end.</param>
public sealed record StageWork(
    DateTimeOffset SubmittedAt,
    DateTimeOffset StartedAt,
    DateTimeOffset CompletedAt,
    double? WorkerPeakRssMiB,
    double? HostPeakRssMiB)
{
    /// <summary>Seconds the handler ran.</summary>
    public double ServiceSeconds => Math.Max(0, (CompletedAt - StartedAt).TotalSeconds);

    /// <summary>Seconds the job waited for a free worker slot.</summary>
    public double QueueSeconds => Math.Max(0, (StartedAt - SubmittedAt).TotalSeconds);
}
