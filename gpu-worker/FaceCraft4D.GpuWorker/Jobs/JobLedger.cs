using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.GpuWorker.Jobs;

/// <summary>A job's shared record: its status, the worker instance that owns it and that owner's last heartbeat.</summary>
public sealed record JobLedgerEntry(JobStatus Status, string Owner, DateTimeOffset HeartbeatAt);

/// <summary>
/// Job records in Blob Storage (<c>runs/{runId}/stages/{stage}/{key}/jobs/{inputHash}.json</c>) so that several
/// replicas of the worker behind one address behave as one: any replica answers a status poll, a submission that
/// reaches another replica than the one running the job attaches to it instead of running it twice, and a job
/// whose owner stopped sending heartbeats is taken over.
/// </summary>
public sealed class JobLedger(IBlobStore blobs, WorkerInstance instance, IOptions<WorkerOptions> options, TimeProvider time)
{
    /// <summary>The record of a job, or null.</summary>
    public async Task<JobLedgerEntry?> ReadAsync(JobKey key, CancellationToken cancellationToken)
    {
        var data = await blobs.TryReadAsync(RecordBlob(key), cancellationToken).ConfigureAwait(false);
        return data?.ToObjectFromJson<JobLedgerEntry>(ContractJson.Options);
    }

    /// <summary>Writes this instance's view of a job (and renews its heartbeat).</summary>
    public Task WriteAsync(WorkerJob job, CancellationToken cancellationToken) =>
        blobs.WriteAsync(RecordBlob(JobKey.For(job.Request)), Serialize(new JobLedgerEntry(job.ToStatus(), instance.Id, time.GetUtcNow())), "application/json", cancellationToken);

    /// <summary>
    /// Claims a job for this instance: creates the record when there is none (only one claimant wins), or replaces
    /// a record that is not live elsewhere. Returns false when another instance won.
    /// </summary>
    public async Task<bool> TryClaimAsync(WorkerJob job, JobLedgerEntry? existing, CancellationToken cancellationToken)
    {
        var entry = Serialize(new JobLedgerEntry(job.ToStatus(), instance.Id, time.GetUtcNow()));
        if (existing is null)
        {
            return await blobs.TryCreateAsync(RecordBlob(JobKey.For(job.Request)), entry, "application/json", cancellationToken).ConfigureAwait(false);
        }

        await blobs.WriteAsync(RecordBlob(JobKey.For(job.Request)), entry, "application/json", cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>True when another instance owns the job and is alive (heartbeat within the lease).</summary>
    public bool IsLiveElsewhere(JobLedgerEntry entry) =>
        entry.Owner != instance.Id && entry.Status.State is JobState.Queued or JobState.Running && !IsStale(entry);

    /// <summary>True when a queued or running job's owner has not been heard of for longer than the lease.</summary>
    public bool IsStale(JobLedgerEntry entry) =>
        entry.Status.State is JobState.Queued or JobState.Running && time.GetUtcNow() - entry.HeartbeatAt > options.Value.JobLease;

    /// <summary>The status to answer for a record: a stale one reads as an internal failure, so pollers submit it again.</summary>
    public JobStatus Answer(JobLedgerEntry entry) => IsStale(entry)
        ? entry.Status with
        {
            State = JobState.Failed,
            Failure = JobFailureKind.Internal,
            Error = $"worker instance {entry.Owner} stopped sending heartbeats at {entry.HeartbeatAt:O}",
        }
        : entry.Status;

    private static BlobRef RecordBlob(JobKey key) =>
        StorageLayout.StageOutput(key.RunId, key.Stage, key.Key, $"jobs/{key.InputHashPrefix}.json");

    private static BinaryData Serialize(JobLedgerEntry entry) => BinaryData.FromObjectAsJson(entry, ContractJson.Options);
}
