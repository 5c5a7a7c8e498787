using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker.Jobs;
using Xunit;

namespace FaceCraft4D.GpuWorker.Tests;

/// <summary>The worker's queue: training jobs (the critical path of a run) start before queued short jobs; otherwise FIFO.</summary>
public sealed class JobQueueTests
{
    [Fact]
    public async Task A_training_job_submitted_after_short_jobs_starts_first_and_short_jobs_keep_their_order()
    {
        var queue = new JobQueue();
        queue.Enqueue(Job(PipelineStage.AnimateView, "a"));
        queue.Enqueue(Job(PipelineStage.AnimateView, "b"));
        queue.Enqueue(Job(PipelineStage.TrainStatic, "0"));
        queue.Enqueue(Job(PipelineStage.AnimateView, "c"));

        var order = new List<string>();
        await using var reader = queue.ReadAllAsync(default).GetAsyncEnumerator();
        for (var i = 0; i < 4; i++)
        {
            Assert.True(await reader.MoveNextAsync());
            order.Add(reader.Current.Request.Key);
        }

        Assert.Equal(["0", "a", "b", "c"], order);
    }

    [Fact]
    public async Task A_reader_waits_for_the_next_job()
    {
        var queue = new JobQueue();
        await using var reader = queue.ReadAllAsync(default).GetAsyncEnumerator();
        var next = reader.MoveNextAsync().AsTask();
        await Task.Delay(50);
        Assert.False(next.IsCompleted);

        queue.Enqueue(Job(PipelineStage.Export, "0"));

        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(PipelineStage.Export, reader.Current.Request.Stage);
    }

    private static WorkerJob Job(PipelineStage stage, string key)
    {
        var request = new StageRequest("fc4d-0123456789abcdef-01234567", stage, key, new Dictionary<string, BlobRef>(), PipelinePresets.Preview, new Dictionary<string, string>());
        return new WorkerJob(request.IdempotencyKey(), request, DateTimeOffset.UnixEpoch);
    }
}
