using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Workers;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Pipeline.Activities;

/// <summary>
/// The logic of the stage activities, shared by the Functions app and the local host. Every execution first stamps
/// the request with the worker's implementation of the stage (code version and weights fingerprint, part of the input
/// hash), then looks for a valid checkpoint (same input hash, outputs present) and returns it without running the
/// work; otherwise it runs the work as an idempotent worker job (the worker writes outputs, then the checkpoint record).
/// </summary>
public sealed class StageActivityRunner(
    CheckpointStore checkpoints,
    IGpuWorkerClient worker,
    IOptions<GpuWorkerOptions> options,
    TimeProvider time,
    ILogger<StageActivityRunner> logger)
{
    private readonly GpuWorkerOptions settings = options.Value;

    /// <summary>Short stage: reuse or submit, poll inside the activity until done, checkpoint.</summary>
    public async Task<StageOutcome> RunStageAsync(StageRequest request, CancellationToken cancellationToken)
    {
        (request, var reused) = await StampAndLookUpAsync(request, cancellationToken).ConfigureAwait(false);
        if (reused is not null)
        {
            return reused;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.StageTimeout);
        var calls = 0;
        var submitted = await worker.SubmitJobAsync(request, deadline.Token).ConfigureAwait(false);
        calls += submitted.Attempts;
        var status = submitted.Value;
        try
        {
            while (!status.IsTerminal)
            {
                var asked = time.GetTimestamp();
                var poll = await worker.WaitForJobAsync(request, settings.JobWait, deadline.Token).ConfigureAwait(false);
                calls += poll.Attempts;
                if (poll.Value is null)
                {
                    logger.LogWarning("Worker lost job {Job}; submitting it again", request.IdempotencyKey());
                    var again = await worker.SubmitJobAsync(request, deadline.Token).ConfigureAwait(false);
                    calls += again.Attempts;
                    status = again.Value;
                    continue;
                }

                status = poll.Value;
                // A worker that answered at once (no long polls, or a job at another replica): wait a poll interval before asking again.
                var early = settings.ActivityPollInterval - time.GetElapsedTime(asked);
                if (!status.IsTerminal && early > TimeSpan.Zero)
                {
                    await Task.Delay(early, time, deadline.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GpuWorkerUnavailableException(
                $"Stage {request.Stage.Slug()} ({request.Key}) did not finish within {settings.StageTimeout}.");
        }

        return Complete(request, status, calls);
    }

    /// <summary>Long stage, step 1: reuse a checkpoint or submit the job.</summary>
    public async Task<JobPoll> SubmitJobAsync(StageRequest request, CancellationToken cancellationToken)
    {
        (request, var reused) = await StampAndLookUpAsync(request, cancellationToken).ConfigureAwait(false);
        if (reused is not null)
        {
            return new JobPoll(JobState.Succeeded, null, reused, Resubmitted: false, WorkerCalls: 0);
        }

        var reply = await worker.SubmitJobAsync(request, cancellationToken).ConfigureAwait(false);
        return ToPoll(request, reply.Value, reply.Attempts, resubmitted: false);
    }

    /// <summary>
    /// Long stage, step 2 (repeated on durable timers): poll the job; a job the worker lost (restart) or failed
    /// internally is submitted again and resumes from its last training checkpoint.
    /// </summary>
    public async Task<JobPoll> PollJobAsync(StageRequest request, CancellationToken cancellationToken)
    {
        // Stamped again: the same stamp names the same job; new weights installed meanwhile name a new job, which the
        // worker does not know, so it is submitted (and runs with the new weights).
        request = await StampAsync(request, cancellationToken).ConfigureAwait(false);
        // Long poll: the worker answers when the job ends or after JobWait, so the orchestration sees the end at once.
        var poll = await worker.WaitForJobAsync(request, settings.JobWait, cancellationToken).ConfigureAwait(false);
        var calls = poll.Attempts;
        var status = poll.Value;
        if (status is null || status.State is JobState.Cancelled || status is { State: JobState.Failed, Failure: JobFailureKind.Internal })
        {
            logger.LogWarning(
                "Job {Job} is {State} at the worker; submitting it again (it resumes from its checkpoint). {Error}",
                request.IdempotencyKey(), status?.State.ToString() ?? "unknown", status?.Error);
            var again = await worker.SubmitJobAsync(request, cancellationToken).ConfigureAwait(false);
            return ToPoll(request, again.Value, calls + again.Attempts, resubmitted: true);
        }

        return ToPoll(request, status, calls, resubmitted: false);
    }

    /// <summary>The request with the worker's current implementation of its stage; a stage the worker lacks fails clearly.</summary>
    private async Task<StageRequest> StampAsync(StageRequest request, CancellationToken cancellationToken)
    {
        var implementation = await worker.GetStageImplementationAsync(request, cancellationToken).ConfigureAwait(false)
            ?? throw new StageNotImplementedException(
                $"Stage {request.Stage.Slug()} ({request.Key}) is not available: the GPU worker has no implementation of stage {request.Stage.Slug()} yet.");
        return request with { Implementation = implementation.Id };
    }

    private static JobPoll ToPoll(StageRequest request, JobStatus status, int calls, bool resubmitted) =>
        status.State is JobState.Succeeded or JobState.Failed && !resubmitted
            ? new JobPoll(status.State, status.Progress, Complete(request, status, calls), resubmitted, calls)
            : new JobPoll(status.State, status.Progress, null, resubmitted, calls);

    /// <summary>
    /// The stamped request and its valid checkpoint's outcome (null: the work must run). The stamp (a worker call) and the
    /// read of the work item's checkpoint record (storage) do not depend on each other, so both are asked for at once
    /// (one round trip off each activity's critical path); the record is checked against the stamped request.
    /// </summary>
    private async Task<(StageRequest Stamped, StageOutcome? Reused)> StampAndLookUpAsync(StageRequest request, CancellationToken cancellationToken)
    {
        var reading = checkpoints.TryReadAsync(request.RunId, request.Stage, request.Key, cancellationToken);
        StageRequest stamped;
        try
        {
            stamped = await StampAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The stamp's failure is the one reported, at once; the read's own failure, whenever it ends, is observed (not awaited).
            _ = reading.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }

        var record = await reading.ConfigureAwait(false);
        return (stamped, await TryReuseAsync(stamped, record, cancellationToken).ConfigureAwait(false));
    }

    private async Task<StageOutcome?> TryReuseAsync(StageRequest request, CheckpointRecord? stored, CancellationToken cancellationToken)
    {
        var record = await checkpoints.ValidateAsync(stored, request, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return null;
        }

        logger.LogInformation("Reusing checkpoint of {Stage}/{Key} ({Backend}, {Implementation})", request.Stage.Slug(), request.Key, record.Backend, record.Implementation);
        return new StageOutcome(request.Stage, request.Key, record.Outputs, record.Backend, Reused: true, record.DurationMs, WorkerCalls: 0);
    }

    /// <summary>
    /// When the job ran (the worker reports its handler's seconds as <c>worker_service_seconds</c>; without it the whole
    /// time since submission counts as service) and the peak memory of the worker and of this (the host's) process.
    /// </summary>
    private static StageWork WorkOf(JobStatus status, StageResult result)
    {
        double? Metric(string name) => result.Metrics is { } m && m.TryGetValue(name, out var v) && double.IsFinite(v) ? v : null;
        var service = Metric("worker_service_seconds") is { } seconds
            ? TimeSpan.FromSeconds(Math.Min(seconds, (status.UpdatedAt - status.CreatedAt).TotalSeconds))
            : status.UpdatedAt - status.CreatedAt;
        return new StageWork(status.CreatedAt, status.UpdatedAt - service, status.UpdatedAt, Metric("worker_peak_rss_mib"), ProcessPeakMemory.PeakResidentMiB());
    }

    private static StageOutcome Complete(StageRequest request, JobStatus status, int calls)
    {
        var where = $"Stage {request.Stage.Slug()} ({request.Key})";
        switch (status.State)
        {
            case JobState.Succeeded when status.Result is { } result:
                // The worker wrote the checkpoint record next to the outputs when the job succeeded, so work that
                // finished while this host was down is reused from blobs after a restart.
                var durationMs = (long)(status.UpdatedAt - status.CreatedAt).TotalMilliseconds;
                return new StageOutcome(request.Stage, request.Key, result.Outputs, result.Backend, Reused: false, durationMs, calls, WorkOf(status, result));
            case JobState.Succeeded:
                throw new GpuWorkerUnavailableException($"{where}: the worker reported success without a result.");
            case JobState.Failed when status.Failure == JobFailureKind.InvalidInput:
                throw new StageInputRejectedException($"{where} rejected its input: {status.Error}");
            case JobState.Failed when status.Failure == JobFailureKind.NotImplemented:
                throw new StageNotImplementedException($"{where} is not available in the GPU worker: {status.Error}");
            default:
                throw new GpuWorkerUnavailableException($"{where} ended {status.State} at the worker: {status.Error}");
        }
    }
}
