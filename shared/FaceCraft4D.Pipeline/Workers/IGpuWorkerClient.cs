using FaceCraft4D.Contracts;

namespace FaceCraft4D.Pipeline.Workers;

/// <summary>Typed client of the GPU worker's job API (<c>/api/jobs/{stage}</c>).</summary>
public interface IGpuWorkerClient
{
    /// <summary>Submits (or re-attaches to) the job of a request; idempotent by the request's idempotency key.</summary>
    Task<WorkerReply<JobStatus>> SubmitJobAsync(StageRequest request, CancellationToken cancellationToken);

    /// <summary>The job's status, or a null value when the worker does not know the job (e.g. it restarted).</summary>
    Task<WorkerReply<JobStatus?>> GetJobAsync(StageRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Long poll: the job's status once it has ended, or after at most <paramref name="wait"/> while it still runs (the
    /// worker holds the request open and answers the moment the job ends, so the caller sees the end without a poll
    /// interval's delay). A client without long polls answers at once, like <see cref="GetJobAsync"/>.
    /// </summary>
    Task<WorkerReply<JobStatus?>> WaitForJobAsync(StageRequest request, TimeSpan wait, CancellationToken cancellationToken) =>
        GetJobAsync(request, cancellationToken);

    /// <summary>
    /// What runs the stage at the worker that a work item goes to (<see cref="StageImplementation"/>: code version and
    /// weights fingerprint), stamped into the request before checkpoint reuse is decided; null when the worker has no
    /// implementation of the stage.
    /// </summary>
    Task<StageImplementation?> GetStageImplementationAsync(StageRequest request, CancellationToken cancellationToken);

    /// <summary>Asks the worker to cancel the job (training jobs write a checkpoint first).</summary>
    Task CancelJobAsync(StageRequest request, CancellationToken cancellationToken);

    /// <summary>Asks the worker that owns a job to cancel it, by its key (e.g. from the job ledger).</summary>
    Task CancelJobAsync(JobKey job, CancellationToken cancellationToken);
}
