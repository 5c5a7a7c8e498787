using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker.Jobs;
using FaceCraft4D.Testing;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.GpuWorker.Tests;

/// <summary>Idempotent submissions across replicas: two registries (two worker instances) on one job ledger.</summary>
public sealed class JobRegistryTests
{
    private static readonly StageRequest Request = new(
        "fc4d-0123456789abcdef-01234567", PipelineStage.TrainStatic, "0",
        new Dictionary<string, BlobRef> { ["shape-prior/views.json"] = new("runs", "v.json", "aa") }, PipelinePresets.Preview, new Dictionary<string, string>());

    private readonly InMemoryBlobStore blobs = new();
    private readonly ManualClock clock = new();

    [Fact]
    public async Task A_second_submission_of_the_same_job_returns_it_instead_of_queueing_again()
    {
        var registry = Registry();

        var first = await registry.SubmitOrGetAsync(Request.IdempotencyKey(), Request, default);
        var second = await registry.SubmitOrGetAsync(Request.IdempotencyKey(), Request, default);

        Assert.True(first!.Queued);
        Assert.False(second!.Queued);
        Assert.Equal(first.Status.JobId, second.Status.JobId);
    }

    [Fact]
    public async Task Another_replica_attaches_to_a_live_job_and_answers_polls_from_the_ledger()
    {
        var (a, b) = (Registry(), Registry());
        var submitted = await a.SubmitOrGetAsync(Request.IdempotencyKey(), Request, default);
        var job = a.Find(Request.IdempotencyKey())!;
        job.Started(clock.GetUtcNow());
        job.Report(new JobProgress(10, 100, "iteration 10/100"), clock.GetUtcNow());
        await Ledger().WriteAsync(job, default);

        var atB = await b.SubmitOrGetAsync(Request.IdempotencyKey(), Request, default);
        var polled = await b.GetStatusAsync(Request.IdempotencyKey(), default);

        Assert.True(submitted!.Queued);
        Assert.False(atB!.Queued);
        Assert.Null(b.Find(Request.IdempotencyKey()));
        Assert.Equal((JobState.Running, 10L), (polled!.State, polled.Progress!.Done));
    }

    [Fact]
    public async Task A_job_whose_owner_went_silent_reads_as_failed_and_is_taken_over()
    {
        var (a, b) = (Registry(), Registry());
        await a.SubmitOrGetAsync(Request.IdempotencyKey(), Request, default);
        clock.Advance(TimeSpan.FromMinutes(2));

        var polled = await b.GetStatusAsync(Request.IdempotencyKey(), default);
        var taken = await b.SubmitOrGetAsync(Request.IdempotencyKey(), Request, default);

        Assert.Equal((JobState.Failed, JobFailureKind.Internal), (polled!.State, polled.Failure));
        Assert.Contains("heartbeat", polled.Error);
        Assert.True(taken!.Queued);
        Assert.NotNull(b.Find(Request.IdempotencyKey()));
    }

    [Fact]
    public async Task Finished_jobs_are_answered_from_the_ledger_and_unknown_ids_are_refused()
    {
        var (a, b) = (Registry(), Registry());
        await a.SubmitOrGetAsync(Request.IdempotencyKey(), Request, default);
        var job = a.Find(Request.IdempotencyKey())!;
        job.Succeeded(new StageResult(new Dictionary<string, BlobRef>(), "synthetic", "1"), clock.GetUtcNow());
        await Ledger().WriteAsync(job, default);
        clock.Advance(TimeSpan.FromHours(1));

        var atB = await b.SubmitOrGetAsync(Request.IdempotencyKey(), Request, default);

        Assert.Equal(JobState.Succeeded, atB!.Status.State);
        Assert.False(atB.Queued);
        Assert.Null(await b.GetStatusAsync("fc4d-0123456789abcdef-01234567.train-static.0.ffffffffffffffff", default));
        Assert.Null(await b.GetStatusAsync("../../etc/passwd", default));
    }

    [Fact]
    public void Job_keys_round_trip_and_reject_anything_else()
    {
        var key = JobKey.For(Request);

        Assert.Equal(key, JobKey.TryParse(key.Id));
        Assert.Null(JobKey.TryParse("fc4d-0123456789abcdef-01234567.train-static.0"));
        Assert.Null(JobKey.TryParse("fc4d-0123456789abcdef-01234567.no-such-stage.0.0123456789abcdef"));
        Assert.Null(JobKey.TryParse("fc4d-0123456789abcdef-01234567.export.A/B.0123456789abcdef"));
    }

    [Fact]
    public async Task A_long_poll_answers_when_the_job_ends_and_a_running_job_after_the_wait()
    {
        var registry = Registry();
        var id = Request.IdempotencyKey();
        await registry.SubmitOrGetAsync(id, Request, default);
        var job = registry.Find(id)!;
        job.Started(clock.GetUtcNow());

        var stillRunning = await registry.WaitForStatusAsync(id, TimeSpan.FromMilliseconds(100), default);
        var poll = registry.WaitForStatusAsync(id, TimeSpan.FromSeconds(20), default);
        await Task.Delay(100);
        Assert.False(poll.IsCompleted);
        job.Succeeded(new StageResult(new Dictionary<string, BlobRef>(), "test", "1.0"), clock.GetUtcNow());
        var ended = await poll.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(JobState.Running, stillRunning!.State);
        Assert.Equal(JobState.Succeeded, ended!.State);
        // Ended already: answered at once; a requeued job waits for its new run's end.
        Assert.Equal(JobState.Succeeded, (await registry.WaitForStatusAsync(id, TimeSpan.FromMinutes(1), default).WaitAsync(TimeSpan.FromSeconds(10)))!.State);
        job.Requeue(clock.GetUtcNow());
        Assert.False(job.WhenEnded.IsCompleted);
    }

    private JobLedger Ledger() => new(blobs, new WorkerInstance(), Options.Create(new WorkerOptions()), clock);

    private JobRegistry Registry() =>
        new(new JobLedger(blobs, new WorkerInstance(), Options.Create(new WorkerOptions()), clock), Options.Create(new WorkerOptions()), clock);

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
