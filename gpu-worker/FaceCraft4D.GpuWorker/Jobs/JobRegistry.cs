using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker.Scaling;
using FaceCraft4D.Pipeline.Workers;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.GpuWorker.Jobs;

/// <summary>What a submission led to.</summary>
/// <param name="Status">The job's status (local, or another replica's from the ledger).</param>
/// <param name="Queued">True when this submission queued the job here.</param>
public sealed record JobSubmission(JobStatus Status, bool Queued);

/// <summary>
/// The worker's jobs: the ones it runs (in memory, fed to <see cref="JobRunner"/> through a queue) and, through the
/// <see cref="JobLedger"/>, the ones other replicas run. Submissions are idempotent by job id: a known job is
/// returned, except one that failed internally, was cancelled, or whose owner died, which runs again here.
/// A job of a run marked terminated (<see cref="RunTerminationMarker"/>) is refused: the marker is read after the job is
/// recorded in the ledger and known here, so a terminate racing the submission either finds it or is found by it.
/// </summary>
public sealed class JobRegistry(
    JobLedger ledger, IOptions<WorkerOptions> options, TimeProvider time, IJobDemandSignal? demand = null, RunTerminationMarker? terminations = null)
{
    private readonly Dictionary<string, WorkerJob> jobs = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private readonly SemaphoreSlim[] submissionGates = Enumerable.Range(0, 32).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly JobQueue queue = new();
    private int queued;

    /// <summary>Jobs waiting to start.</summary>
    public JobQueue Queue => queue;

    /// <summary>Submits a job or returns the existing one (here or at another replica); null when the queue is full.</summary>
    public async Task<JobSubmission?> SubmitOrGetAsync(string id, StageRequest request, CancellationToken cancellationToken)
    {
        var submissionGate = submissionGates[(int)((uint)StringComparer.Ordinal.GetHashCode(id) % (uint)submissionGates.Length)];
        await submissionGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var local = Find(id);
            if (local is not null && !local.IsRestartable)
            {
                return new JobSubmission(local.ToStatus(), false);
            }

            var entry = await ledger.ReadAsync(JobKey.For(request), cancellationToken).ConfigureAwait(false);
            if (entry is not null && local is null && IsFinal(entry.Status))
            {
                return new JobSubmission(entry.Status, false);
            }

            if (entry is not null && ledger.IsLiveElsewhere(entry))
            {
                return new JobSubmission(entry.Status, false);
            }

            if (Volatile.Read(ref queued) >= options.Value.MaxQueuedJobs)
            {
                return null;
            }

            var job = local ?? new WorkerJob(id, request, time.GetUtcNow());
            job.Requeue(time.GetUtcNow());
            if (!await ledger.TryClaimAsync(job, entry, cancellationToken).ConfigureAwait(false))
            {
                var winner = await ledger.ReadAsync(JobKey.For(request), cancellationToken).ConfigureAwait(false);
                return winner is null ? null : new JobSubmission(ledger.Answer(winner), false);
            }

            lock (gate)
            {
                Evict(time.GetUtcNow());
                jobs[id] = job;
            }

            // After the claim (the ledger shows the job) and the insert (a cancel finds it): a terminate that wrote its
            // marker before this read is seen here; one that writes it later sweeps the ledger afterwards and cancels the job.
            if (await TerminatedAsync(request.RunId) is { } terminated)
            {
                job.Ended(JobState.Cancelled, terminated.RefusalMessage, null, time.GetUtcNow());
                await ledger.WriteAsync(job, CancellationToken.None).ConfigureAwait(false);
                return new JobSubmission(job.ToStatus(), false);
            }

            Interlocked.Increment(ref queued);
            if (demand is not null)
            {
                // Signalled before the runner can see the job, so its end (EndedAsync in the runner) always comes after.
                await demand.AcceptedAsync(id, CancellationToken.None).ConfigureAwait(false);
            }

            queue.Enqueue(job);
            return new JobSubmission(job.ToStatus(), true);
        }
        finally
        {
            submissionGate.Release();
        }
    }

    /// <summary>The run's termination marker in force, or null (also when it cannot be read: the runner reads it again before the start).</summary>
    private async Task<RunTerminatedRecord?> TerminatedAsync(string runId)
    {
        if (terminations is null)
        {
            return null;
        }

        try
        {
            // Not the request's token: the job is claimed and known here now, so the answer must not be cut short.
            return await terminations.FindAsync(runId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The status of a job run here, or recorded by any replica; null when unknown.</summary>
    public async Task<JobStatus?> GetStatusAsync(string id, CancellationToken cancellationToken)
    {
        if (Find(id) is { } local)
        {
            return local.ToStatus();
        }

        if (JobKey.TryParse(id) is not { } key)
        {
            return null;
        }

        var entry = await ledger.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        return entry is null || entry.Status.JobId != id ? null : ledger.Answer(entry);
    }

    /// <summary>
    /// Long poll: waits up to <paramref name="wait"/> (capped by <see cref="WorkerOptions.MaxPollWait"/>) for a job run
    /// here to end, then answers its status; a job of another replica, or one that has ended, is answered at once.
    /// </summary>
    public async Task<JobStatus?> WaitForStatusAsync(string id, TimeSpan wait, CancellationToken cancellationToken)
    {
        var limit = wait < options.Value.MaxPollWait ? wait : options.Value.MaxPollWait;
        if (limit > TimeSpan.Zero && Find(id) is { } local)
        {
            try
            {
                await local.WhenEnded.WaitAsync(limit, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // still running: answer its progress
            }
        }

        return await GetStatusAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A job run by this worker, or null.</summary>
    public WorkerJob? Find(string id)
    {
        lock (gate)
        {
            return jobs.GetValueOrDefault(id);
        }
    }

    /// <summary>Jobs in memory (for the health endpoint).</summary>
    public IReadOnlyList<WorkerJob> Snapshot()
    {
        lock (gate)
        {
            return jobs.Values.ToArray();
        }
    }

    /// <summary>Called by the runner when it takes a job off the queue.</summary>
    public void Dequeued() => Interlocked.Decrement(ref queued);

    private static bool IsFinal(JobStatus status) =>
        status.State == JobState.Succeeded || (status.State == JobState.Failed && status.Failure != JobFailureKind.Internal);

    private void Evict(DateTimeOffset now)
    {
        var retention = options.Value.FinishedJobRetention;
        foreach (var (id, job) in jobs.ToArray())
        {
            if (job.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled && now - job.UpdatedAt > retention)
            {
                jobs.Remove(id);
            }
        }
    }
}
