using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Orchestration;
using Xunit;

namespace FaceCraft4D.Pipeline.Tests;

/// <summary>The stage table's timing: stage work is the union of the jobs' run times, the rest of the wall time is overhead.</summary>
public sealed class RunTimingTests
{
    private static readonly DateTime T0 = new(2026, 12, 6, 17, 0, 0, DateTimeKind.Utc);

    private static StageWork Work(double submitted, double started, double completed, double? worker = null, double? host = null) =>
        new(At(submitted), At(started), At(completed), worker, host);

    private static DateTimeOffset At(double seconds) => new DateTimeOffset(T0).AddSeconds(seconds);

    [Fact]
    public void Overlapping_jobs_count_once_and_gaps_between_them_are_overhead()
    {
        // Two slots: [1,4] and [2,6] overlap (5 s busy), then a gap, then [8,9]; the span is 0..10.
        var timing = StageTiming.Of(At(0), At(10), [Work(0.5, 1, 4, 500), Work(0.6, 2, 6, 700, 90), Work(7, 8, 9)]);

        Assert.Equal(10, timing.WallSeconds, 6);
        Assert.Equal(6, timing.WorkSeconds, 6);
        Assert.Equal(4, timing.OverheadSeconds, 6);
        Assert.Equal(1.4, timing.QueueSeconds, 6);
        Assert.Equal(0.4, timing.OverheadShare, 6);
        Assert.Equal((700.0, 90.0), (timing.WorkerPeakRssMiB, timing.HostPeakRssMiB));
    }

    [Fact]
    public void Work_outside_the_span_is_clipped_and_a_span_without_work_is_all_overhead()
    {
        var clipped = StageTiming.Of(At(2), At(5), [Work(0, 1, 3), Work(3, 4, 7)]);
        var idle = StageTiming.Of(At(0), At(2), []);

        Assert.Equal(2, clipped.WorkSeconds, 6); // [2,3] and [4,5]
        Assert.Equal(1, clipped.OverheadSeconds, 6);
        Assert.Equal((2.0, 0.0, 2.0), (idle.WallSeconds, idle.WorkSeconds, idle.OverheadSeconds));
        Assert.Null(idle.WorkerPeakRssMiB);
    }

    [Fact]
    public void The_tracker_times_each_stage_on_the_orchestration_clock_and_the_run_from_its_start()
    {
        var plan = PipelinePlan.For(PipelinePresets.Preview);
        var tracker = new RunTracker("fc4d-0123456789abcdef-01234567", plan, T0);
        tracker.Start(PipelineStage.Preprocess, T0.AddSeconds(0.5));
        tracker.Complete(Outcome(PipelineStage.Preprocess, "0", Work(0.6, 0.7, 1.7, 400, 120)), T0.AddSeconds(2));
        tracker.Start(PipelineStage.ShapePrior, T0.AddSeconds(2));
        tracker.Complete(Outcome(PipelineStage.ShapePrior, "0", Work(2.2, 2.3, 5.3, 600, 150)), T0.AddSeconds(5.5));

        var pre = tracker.StageList().Single(s => s.Name == "preprocess").Timing!;
        var run = tracker.Timing(T0.AddSeconds(5.5));

        Assert.Equal((1.5, 1.0, 0.5), (pre.WallSeconds, pre.WorkSeconds, pre.OverheadSeconds));
        Assert.Null(tracker.StageList().Single(s => s.Name == "export").Timing);
        Assert.Equal((5.5, 4.0, 1.5), (run.WallSeconds, run.WorkSeconds, run.OverheadSeconds));
        Assert.Equal((600.0, 150.0), (run.WorkerPeakRssMiB, run.HostPeakRssMiB));
        Assert.Equal(["preprocess", "shape-prior"], tracker.Items().Select(i => i.Stage));
    }

    private static StageOutcome Outcome(PipelineStage stage, string key, StageWork work) =>
        new(stage, key, new Dictionary<string, BlobRef>(), "test", Reused: false, 1000, 1, work);
}
