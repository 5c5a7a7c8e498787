using System.Text.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Activities;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.Pipeline.Workers;

/// <summary>
/// Cancels a run's worker jobs that are still queued or running, found from the workers' job ledger
/// (<c>runs/{runId}/stages/{stage}/{key}/jobs/{hash}.json</c>), so terminating a run frees the GPUs at once instead of
/// letting its jobs run to the end. Training jobs save a checkpoint before they stop.
/// </summary>
public sealed class RunJobCanceller(IBlobStore blobs, IGpuWorkerClient worker, ILogger<RunJobCanceller> logger)
{
    /// <summary>The job keys of the run's queued or running jobs, as the ledger records them.</summary>
    public async Task<IReadOnlyList<JobKey>> FindActiveJobsAsync(string runId, CancellationToken cancellationToken) =>
        (await FindActiveJobRecordsAsync(runId, cancellationToken).ConfigureAwait(false)).Select(r => r.Job).ToArray();

    /// <summary>The run's queued or running jobs with their owners' last heartbeat (a stale one: the owner died).</summary>
    public async Task<IReadOnlyList<ActiveJobRecord>> FindActiveJobRecordsAsync(string runId, CancellationToken cancellationToken)
    {
        var active = new List<ActiveJobRecord>();
        await foreach (var blob in blobs.ListAsync(StorageLayout.RunsContainer, $"{runId}/stages/", cancellationToken).ConfigureAwait(false))
        {
            var segments = blob.Blob.Name.Split('/');
            if (segments.Length != 6 || segments[4] != "jobs" || !segments[5].EndsWith(".json", StringComparison.Ordinal))
            {
                continue;
            }

            var data = await blobs.TryReadAsync(blob.Blob, cancellationToken).ConfigureAwait(false);
            if (data is null || ActiveJob(data) is not { } record || record.Job.RunId != runId)
            {
                continue;
            }

            active.Add(record);
        }

        return active;
    }

    /// <summary>Asks the workers to cancel every queued or running job of the run; returns how many were asked.</summary>
    public async Task<int> CancelActiveJobsAsync(string runId, CancellationToken cancellationToken)
    {
        var jobs = await FindActiveJobsAsync(runId, cancellationToken).ConfigureAwait(false);
        foreach (var job in jobs)
        {
            try
            {
                await worker.CancelJobAsync(job, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Asked the worker to cancel job {Job}", job.Id);
            }
            catch (GpuWorkerUnavailableException e)
            {
                // A worker that is down runs nothing; its record goes stale and is never resumed for a terminated run.
                logger.LogWarning("Could not cancel job {Job}: {Error}", job.Id, e.Message);
            }
        }

        return jobs.Count;
    }

    private static ActiveJobRecord? ActiveJob(BinaryData record)
    {
        try
        {
            using var document = JsonDocument.Parse(record.ToMemory());
            if (!document.RootElement.TryGetProperty("status", out var element))
            {
                return null;
            }

            var status = element.Deserialize<JobStatus>(ContractJson.Options);
            var heartbeat = document.RootElement.TryGetProperty("heartbeatAt", out var at) && at.TryGetDateTimeOffset(out var value) ? value : status?.UpdatedAt;
            return status is { State: JobState.Queued or JobState.Running } && JobKey.TryParse(status.JobId) is { } key
                ? new ActiveJobRecord(key, heartbeat ?? DateTimeOffset.MinValue)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A queued or running job in the ledger and its owner's last heartbeat.</summary>
public sealed record ActiveJobRecord(JobKey Job, DateTimeOffset HeartbeatAt);
