using System.Threading.Channels;
using FaceCraft4D.Contracts;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.GpuWorker.Jobs;

/// <summary>
/// The worker's jobs by id, and the queue that feeds <see cref="JobRunner"/>. Submissions are idempotent:
/// a known id returns the existing job, except one that failed internally or was cancelled, which runs again.
/// </summary>
public sealed class JobRegistry(IOptions<WorkerOptions> options, TimeProvider time)
{
    private readonly Dictionary<string, WorkerJob> jobs = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private readonly Channel<WorkerJob> queue = Channel.CreateUnbounded<WorkerJob>(new UnboundedChannelOptions { SingleReader = false });
    private int queued;

    /// <summary>Jobs waiting to start.</summary>
    public ChannelReader<WorkerJob> Queue => queue.Reader;

    /// <summary>Submits a job or returns the existing one; null when the queue is full.</summary>
    public (WorkerJob Job, bool Started)? SubmitOrGet(string id, StageRequest request)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            Evict(now);
            if (jobs.TryGetValue(id, out var existing))
            {
                if (!existing.IsRestartable)
                {
                    return (existing, false);
                }

                existing.Requeue(now);
                Enqueue(existing);
                return (existing, true);
            }

            if (queued >= options.Value.MaxQueuedJobs)
            {
                return null;
            }

            var job = new WorkerJob(id, request, now);
            jobs[id] = job;
            Enqueue(job);
            return (job, true);
        }
    }

    /// <summary>A known job, or null.</summary>
    public WorkerJob? Find(string id)
    {
        lock (gate)
        {
            return jobs.GetValueOrDefault(id);
        }
    }

    /// <summary>Jobs in memory (for the status page).</summary>
    public IReadOnlyList<WorkerJob> Snapshot()
    {
        lock (gate)
        {
            return jobs.Values.ToArray();
        }
    }

    /// <summary>Called by the runner when it takes a job off the queue.</summary>
    public void Dequeued() => Interlocked.Decrement(ref queued);

    private void Enqueue(WorkerJob job)
    {
        Interlocked.Increment(ref queued);
        if (!queue.Writer.TryWrite(job))
        {
            throw new InvalidOperationException("The job queue is closed (worker stopping).");
        }
    }

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
