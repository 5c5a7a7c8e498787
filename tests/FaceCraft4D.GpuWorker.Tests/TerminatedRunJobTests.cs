using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker.Jobs;
using FaceCraft4D.Pipeline.Workers;
using FaceCraft4D.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.GpuWorker.Tests;

/// <summary>
/// The terminate/submit race (issue 14): terminate writes the run's termination marker, then sweeps the job ledger; the
/// worker reads the marker after it has recorded a job. Both orders of the race end with the job not running.
/// </summary>
public sealed class TerminatedRunJobTests
{
    private const string RunId = "fc4d-0123456789abcdef-0123456789abcdef";

    private static readonly StageRequest Request = new(
        RunId, PipelineStage.TrainStatic, "0",
        new Dictionary<string, BlobRef> { ["shape-prior/views.json"] = new("runs", "v.json", "aa") }, PipelinePresets.Preview, new Dictionary<string, string>());

    private readonly InMemoryBlobStore blobs = new();
    private readonly ManualClock clock = new();

    [Fact]
    public async Task A_job_submitted_after_terminate_wrote_its_marker_is_refused_and_recorded_cancelled_without_being_queued()
    {
        var registry = Registry();
        await Marker().MarkAsync(RunId, "terminated by request", default);

        var submitted = await registry.SubmitOrGetAsync(Request.IdempotencyKey(), Request, default);

        Assert.False(submitted!.Queued);
        Assert.Equal(JobState.Cancelled, submitted.Status.State);
        Assert.Contains("was terminated", submitted.Status.Error);
        Assert.Equal(0, registry.Queue.Count);
        var recorded = await Ledger().ReadAsync(JobKey.For(Request), default);
        Assert.Equal(JobState.Cancelled, recorded!.Status.State); // the shared record shows it: no replica runs it, no sweep waits for it
    }

    [Fact]
    public async Task A_job_submitted_before_the_marker_is_found_by_the_terminate_sweep_that_follows_it()
    {
        var registry = Registry();
        var submitted = await registry.SubmitOrGetAsync(Request.IdempotencyKey(), Request, default);
        await Marker().MarkAsync(RunId, "terminated by request", default);

        var swept = await new RunJobCanceller(blobs, null!, NullLogger<RunJobCanceller>.Instance).FindActiveJobsAsync(RunId, default);

        Assert.True(submitted!.Queued);
        Assert.Equal([JobKey.For(Request)], swept); // the sweep's cancel reaches it; the runner also re-reads the marker before it starts
    }

    [Fact]
    public async Task The_marker_expires_and_a_restart_clears_it_so_the_runs_jobs_run_again()
    {
        var marker = Marker();
        await marker.MarkAsync(RunId, "test", default);
        Assert.NotNull(await marker.FindAsync(RunId, default));

        clock.Advance(RunTerminationMarker.DefaultLifetime + TimeSpan.FromSeconds(1));
        Assert.Null(await marker.FindAsync(RunId, default));

        await marker.MarkAsync(RunId, "test", default);
        await marker.ClearAsync(RunId, default);
        var submitted = await Registry().SubmitOrGetAsync(Request.IdempotencyKey(), Request, default);
        Assert.True(submitted!.Queued);
        Assert.Null(await marker.FindAsync("fc4d-ffffffffffffffff-0123456789abcdef", default)); // other runs are unaffected
    }

    private RunTerminationMarker Marker() => new(blobs, clock);

    private JobLedger Ledger() => new(blobs, new WorkerInstance(), Options.Create(new WorkerOptions()), clock);

    private JobRegistry Registry() => new(Ledger(), Options.Create(new WorkerOptions()), clock, demand: null, terminations: Marker());

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
