using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.GpuWorker.Jobs;

/// <summary>
/// A job's shared record: its status, the worker instance that owns it, that owner's last heartbeat and the fencing
/// token of its claim. <see cref="Version"/> is the record's ETag as read (not stored in the record).
/// </summary>
public sealed record JobLedgerEntry(JobStatus Status, string Owner, DateTimeOffset HeartbeatAt, long Fence = 0)
{
    /// <summary>The record's version (ETag) when it was read; null for an entry not read from storage.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? Version { get; init; }
}

/// <summary>
/// Job records in Blob Storage (<c>runs/{runId}/stages/{stage}/{key}/jobs/{inputHash}.json</c>) so that several
/// replicas of the worker behind one address behave as one: any replica answers a status poll, a submission that
/// reaches another replica than the one running the job attaches to it instead of running it twice, and a job
/// whose owner stopped sending heartbeats is taken over. Every write is conditional on the record's version
/// (ETag If-Match): of two instances claiming one job exactly one wins, and an owner that was paused past its lease
/// and taken over finds its next write refused, loses its <see cref="JobClaim"/> and stops the job.
/// </summary>
public sealed class JobLedger(IBlobStore blobs, WorkerInstance instance, IOptions<WorkerOptions> options, TimeProvider time)
{
    /// <summary>The record of a job, or null.</summary>
    public async Task<JobLedgerEntry?> ReadAsync(JobKey key, CancellationToken cancellationToken)
    {
        var data = await blobs.TryReadVersionedAsync(RecordBlob(key), cancellationToken).ConfigureAwait(false);
        return data?.Content.ToObjectFromJson<JobLedgerEntry>(ContractJson.Options) is { } entry ? entry with { Version = data.Version } : null;
    }

    /// <summary>
    /// Writes the claim holder's view of a job (and renews its heartbeat), on condition that the record is still the
    /// one this claim last wrote. Returns false, writing nothing, when the job has no claim here or another instance
    /// has taken it over since; the job's claim is then dropped.
    /// </summary>
    public async Task<bool> WriteAsync(WorkerJob job, CancellationToken cancellationToken)
    {
        if (job.Claim is not { } claim)
        {
            return false;
        }

        var blob = RecordBlob(JobKey.For(job.Request));
        var content = Serialize(new JobLedgerEntry(job.ToStatus(), claim.Owner, time.GetUtcNow(), claim.Fence));
        var version = await blobs.TryWriteIfVersionAsync(blob, content, "application/json", claim.Version, cancellationToken).ConfigureAwait(false);
        if (version is null)
        {
            // Our own earlier write may have succeeded without us seeing the answer: still ours if owner and token match.
            var current = await ReadAsync(JobKey.For(job.Request), cancellationToken).ConfigureAwait(false);
            if (current is { Version: { } currentVersion } && current.Owner == claim.Owner && current.Fence == claim.Fence)
            {
                version = await blobs.TryWriteIfVersionAsync(blob, content, "application/json", currentVersion, cancellationToken).ConfigureAwait(false);
            }
        }

        if (version is null)
        {
            job.LoseClaim(claim);
            return false;
        }

        job.Renew(claim with { Version = version });
        return true;
    }

    /// <summary>
    /// Claims a job for this instance: creates the record when there is none, or replaces <paramref name="existing"/>
    /// (as read, not live elsewhere) if it is unchanged since; the claim's fencing token is one more than the
    /// previous one. Returns false when another instance claimed or wrote it first.
    /// </summary>
    public async Task<bool> TryClaimAsync(WorkerJob job, JobLedgerEntry? existing, CancellationToken cancellationToken)
    {
        var fence = (existing?.Fence ?? 0) + 1;
        var content = Serialize(new JobLedgerEntry(job.ToStatus(), instance.Id, time.GetUtcNow(), fence));
        var expected = existing is null ? null : existing.Version ?? throw new ArgumentException("The existing entry must be one read from the ledger.", nameof(existing));
        var version = await blobs.TryWriteIfVersionAsync(RecordBlob(JobKey.For(job.Request)), content, "application/json", expected, cancellationToken)
            .ConfigureAwait(false);
        if (version is null)
        {
            return false;
        }

        job.Renew(new JobClaim(instance.Id, fence, version));
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
