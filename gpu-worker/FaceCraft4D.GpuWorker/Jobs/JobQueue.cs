using System.Runtime.CompilerServices;
using FaceCraft4D.Contracts;

namespace FaceCraft4D.GpuWorker.Jobs;

/// <summary>
/// Jobs accepted but not started. Jobs of long-running stages (<see cref="PipelineStages.IsLongRunning"/>: training)
/// start before short ones, otherwise first in, first out: a run's training job is the longest item on its critical path,
/// and behind a fan-out of short jobs it would wait for slots while the short jobs have time to spare (the preview's
/// train-static waited 6.9 s behind six animate-view jobs).
/// </summary>
public sealed class JobQueue
{
    private readonly Lock gate = new();
    private readonly PriorityQueue<WorkerJob, (int Rank, long Order)> waiting = new();
    private readonly SemaphoreSlim available = new(0);
    private long order;

    /// <summary>Jobs waiting to start.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return waiting.Count;
            }
        }
    }

    /// <summary>Adds a job.</summary>
    public void Enqueue(WorkerJob job)
    {
        lock (gate)
        {
            waiting.Enqueue(job, (job.Request.Stage.IsLongRunning() ? 0 : 1, order++));
        }

        available.Release();
    }

    private WorkerJob Take()
    {
        lock (gate)
        {
            return waiting.Dequeue();
        }
    }

    /// <summary>Jobs in the order they should start, as they become available.</summary>
    public async IAsyncEnumerable<WorkerJob> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            await available.WaitAsync(cancellationToken).ConfigureAwait(false);
            yield return Take();
        }
    }
}
