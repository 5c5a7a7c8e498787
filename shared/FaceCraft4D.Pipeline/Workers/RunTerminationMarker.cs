using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;

namespace FaceCraft4D.Pipeline.Workers;

/// <summary>
/// The blob <c>runs/{runId}/terminated.json</c> (<see cref="RunTerminatedRecord"/>) that closes the race between terminate
/// and a job submitted by an activity still in flight: terminate writes it before it sweeps the job ledger, and the
/// worker reads it after it has recorded a new job in the ledger (and again before it starts one). Whichever comes second
/// sees the other's write: either the sweep finds the job and cancels it, or the worker finds the marker and refuses the
/// job. A marker lasts <see cref="DefaultLifetime"/> (past any activity that could still be in flight) and is removed
/// when the run, or an animation job of it, is submitted again.
/// </summary>
public sealed class RunTerminationMarker(IBlobStore blobs, TimeProvider time)
{
    /// <summary>How long a marker refuses jobs: longer than an activity can stay in flight (the hosts' function timeout is 30 min).</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(45);

    /// <summary>The marker blob of <paramref name="runId"/>.</summary>
    public static BlobRef Blob(string runId) => new(StorageLayout.RunsContainer, $"{runId}/terminated.json");

    /// <summary>Marks <paramref name="runId"/> terminated now: jobs of it are refused for <see cref="DefaultLifetime"/>.</summary>
    public async Task MarkAsync(string runId, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var record = new RunTerminatedRecord(runId, now, now + DefaultLifetime, reason);
        await blobs.WriteAsync(Blob(runId), BinaryData.FromObjectAsJson(record, ContractJson.Options), "application/json", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the marker (the run or one of its animation jobs is started again).</summary>
    public Task ClearAsync(string runId, CancellationToken cancellationToken) => blobs.DeleteAsync(Blob(runId), cancellationToken);

    /// <summary>The marker of <paramref name="runId"/> while it is in force; null when there is none or it has expired.</summary>
    public async Task<RunTerminatedRecord?> FindAsync(string runId, CancellationToken cancellationToken)
    {
        if (!RunIdentity.IsValid(runId))
        {
            return null;
        }

        var data = await blobs.TryReadAsync(Blob(runId), cancellationToken).ConfigureAwait(false);
        var record = data?.ToObjectFromJson<RunTerminatedRecord>(ContractJson.Options);
        return record is not null && record.RunId == runId && time.GetUtcNow() < record.Until ? record : null;
    }
}

/// <summary>A run's termination marker (<see cref="RunTerminationMarker"/>).</summary>
/// <param name="RunId">The run.</param>
/// <param name="TerminatedAt">When it was terminated.</param>
/// <param name="Until">Until when jobs of the run are refused.</param>
/// <param name="Reason">The reason given to terminate.</param>
public sealed record RunTerminatedRecord(string RunId, DateTimeOffset TerminatedAt, DateTimeOffset Until, string Reason)
{
    /// <summary>The message a refused job carries.</summary>
    public string RefusalMessage => $"Run {RunId} was terminated at {TerminatedAt:O} ({Reason}); no new work starts for it.";
}
