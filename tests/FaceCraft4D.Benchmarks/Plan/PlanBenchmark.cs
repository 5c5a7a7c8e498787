using System.Globalization;
using FaceCraft4D.Contracts;

namespace FaceCraft4D.Benchmarks.Plan;

/// <summary>
/// A cost model of a run: per-item service times measured on a finished run (its checkpoint records, <see cref="MeasuredRun"/>),
/// extrapolated to another preset by work units (<see cref="StageWorkUnits"/>: items x iterations x pixels), divided by a
/// GPU/CPU speed ratio, and list-scheduled on N workers over the orchestrator's DAG (<see cref="ListScheduler"/>). First it
/// validates itself: the measured run's own items re-scheduled on the measured worker slots, predicted vs measured wall time.
/// Options: --run DIR (a folder with runs/{runId}/stages/*/*/checkpoint.json and input/settings.json; required)
/// --preset paper --workers 1,4,12 --gpu-speedup 30 --measured-slots 2 (the local worker's MaxConcurrentJobs)
/// --dispatch-ms (per-item orchestration latency; default: the measured run's idle gaps per item).
/// --validate DIR2: the independent check (<see cref="PlanValidation"/>): costs from --run, predicted wall time of the run in
/// DIR2 (another run, e.g. at another view count or resolution) against its measured wall time; exit code 1 when off by more
/// than --tolerance (0.15). DIR/DIR2 may be an avatar folder the CLI downloaded (out/{runId}/ with manifest.json).
/// </summary>
public sealed class PlanBenchmark : IBenchmark
{
    /// <summary>
    /// Default GPU/CPU speed ratio: an assumption, not a measurement here (no GPU on this machine). libtorch and 3DGS
    /// training/rendering kernels on one datacenter GPU (A100/H100 class) against the same TorchSharp CPU code on the 2-core
    /// machine the preview timings come from are commonly 10-100x apart; 30 is a middle value. Pass --gpu-speedup to change it.
    /// </summary>
    public const double DefaultGpuSpeedup = 30;

    /// <summary>The time the paper reports for one avatar on one GPU: 2.5 hours (the figure issue 16 compares against).</summary>
    public const double PaperHours = 2.5;

    /// <inheritdoc />
    public string Name => "plan";

    /// <inheritdoc />
    public string Description => "cost model: a preset's wall time and GPU-hours per stage on N workers, from a measured run's stage timings";

    /// <inheritdoc />
    public Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = new BenchmarkArguments(args);
        var runFolder = a.Get("run", "");
        if (runFolder.Length == 0)
        {
            output.WriteLine("bench plan needs --run DIR: a copy of a finished run's folder (runs/{runId}/ with stages/*/*/checkpoint.json and input/settings.json).");
            return Task.FromResult(2);
        }
        var target = PipelinePresets.Get(a.Get("preset", PipelinePresets.PaperName));
        var workers = a.GetInts("workers", 1, 4, 12);
        double speedup = double.Parse(a.Get("gpu-speedup", DefaultGpuSpeedup.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        int slots = a.GetInt("measured-slots", 2);
        var run = MeasuredRun.Read(runFolder, slots);
        double dispatch = a.Get("dispatch-ms", "") is { Length: > 0 } d
            ? double.Parse(d, CultureInfo.InvariantCulture) / 1000
            : run.OutsideStageWork.TotalSeconds / run.Items.Count;

        // 1. Validation on the measured run itself.
        var measuredItems = run.Items.Select(i => new ScheduledItem(i.Stage, i.Key, i.ServiceSeconds)).ToList();
        double predicted = ListScheduler.Schedule(measuredItems, slots, dispatch).Max(p => p.End);
        double measured = run.Wall.TotalSeconds;
        output.WriteLine($"measured run {run.RunId} (preset {run.Settings.Preset}, {run.Items.Count} work items, {slots} worker slots)");
        output.WriteLine($"  wall (first submission to last completion) {measured:F1} s; outside stage work {run.OutsideStageWork.TotalSeconds:F1} s " +
                         $"({100 * run.OutsideStageWork.TotalSeconds / measured:F1}%), i.e. {1000 * dispatch:F0} ms per item");
        output.WriteLine($"  worker peak RSS: {(run.WorkerPeakRssMiB is { } rss ? $"{rss:F0} MiB" : "not reported by this run's worker")}");
        output.WriteLine($"  model on the same items and slots: {predicted:F1} s predicted vs {measured:F1} s measured ({100 * (predicted - measured) / measured:+0.0;-0.0}%)");
        output.WriteLine($"  {"stage",-18} {"items",5} {"s/item",8}");
        foreach (var stage in PipelineStages.All)
            if (run.MedianServiceSeconds(stage) is { } s)
                output.WriteLine($"  {stage.Slug(),-18} {run.Items.Count(i => i.Stage == stage),5} {s,8:F1}");

        WriteTimeline(run, output);
        if (a.Get("validate", "") is { Length: > 0 } other)
        {
            return Task.FromResult(Validate(run, MeasuredRun.Read(other, slots), slots, dispatch,
                double.Parse(a.Get("tolerance", "0.15"), CultureInfo.InvariantCulture), output));
        }

        // 2. The target preset.
        var plan = PipelinePlan.For(target);
        var items = new List<ScheduledItem>();
        output.WriteLine();
        output.WriteLine($"prediction for preset {target.Preset}: GPU/CPU speed ratio {speedup} (--gpu-speedup), work units = items x iterations x pixels per stage");
        output.WriteLine($"  {"stage",-18} {"items",5} {"scale",9} {"s/item",9} {"GPU-h",8}");
        foreach (var stage in PipelineStages.All)
        {
            var perItem = run.MedianServiceSeconds(stage);
            var planned = plan.WorkItems(stage);
            if (perItem is null) { output.WriteLine($"  {stage.Slug(),-18} {planned.Count,5}  (not in the measured run: counted as 0)"); continue; }
            double scale = StageWorkUnits.PerItem(stage, target) / StageWorkUnits.PerItem(stage, run.Settings);
            double seconds = perItem.Value * scale / speedup;
            items.AddRange(planned.Select(p => new ScheduledItem(stage, p.Key, seconds)));
            output.WriteLine($"  {stage.Slug(),-18} {planned.Count,5} {scale,9:F1} {seconds,9:F1} {planned.Count * seconds / 3600,8:F3}");
        }
        double gpuHours = items.Sum(i => i.Seconds) / 3600;
        output.WriteLine($"  total GPU-hours {gpuHours:F2} (busy GPU time; any number of workers)");
        foreach (int n in workers)
        {
            var placements = ListScheduler.Schedule(items, n, dispatch);
            double wall = placements.Max(p => p.End);
            output.WriteLine($"  {n,3} GPU worker(s): wall {wall / 3600:F2} h ({wall / 60:F0} min); paper: {PaperHours} h on one GPU");
        }
        output.WriteLine("Training dominates and is one long job per stage: beyond a few workers only the fan-out stages get shorter (critical path:");
        output.WriteLine("preprocess -> shape-prior -> enhance-back-view -> enhance-view -> max(train-static, animate-view + track-flame) -> train-coin -> max(export, evaluate); pipeline version 3).");
        return Task.FromResult(0);
    }

    /// <summary>
    /// The run's timeline (manifests only): per stage its start on the orchestration clock, the first job's submission at the
    /// worker (dispatch: activity start, implementation stamp, checkpoint look-up, submission), the last job's end and when the
    /// orchestration saw it (poll, report, replay), stage work and the rest, and the peak memory of worker and host.
    /// </summary>
    private static void WriteTimeline(MeasuredRun run, TextWriter output)
    {
        if (run.Timing is not { StartedAt: { } t0 } total) return;
        output.WriteLine();
        output.WriteLine($"timeline of {run.RunId} (s from the orchestration's start; dispatch = stage start to first submission, seen = last job end to the orchestration seeing it)");
        output.WriteLine($"  {"stage",-18} {"start",7} {"1st sub",7} {"last end",8} {"seen",7} {"dispatch",8} {"seen lat",8} {"queue",6} {"work",7} {"overhead",8} {"wRSS",5} {"hRSS",5}");
        foreach (var stage in run.Stages)
        {
            if (stage.Timing is not { StartedAt: { } start, EndedAt: { } end } t || !PipelineStages.TryParseSlug(stage.Name, out var slug)) continue;
            var items = run.Items.Where(i => i.Stage == slug).ToList();
            string Rel(DateTimeOffset? at) => at is { } v ? $"{(v - t0).TotalSeconds:F2}" : "-";
            var first = items.Count == 0 ? (DateTimeOffset?)null : items.Min(i => i.Submitted);
            var last = items.Count == 0 ? (DateTimeOffset?)null : items.Max(i => i.Completed);
            output.WriteLine($"  {stage.Name,-18} {Rel(start),7} {Rel(first),7} {Rel(last),8} {Rel(end),7} " +
                             $"{(first is { } f ? (f - start).TotalSeconds : double.NaN),8:F2} {(last is { } l ? (end - l).TotalSeconds : double.NaN),8:F2} " +
                             $"{t.QueueSeconds,6:F2} {t.WorkSeconds,7:F2} {t.OverheadSeconds,8:F2} {t.WorkerPeakRssMiB,5:F0} {t.HostPeakRssMiB,5:F0}");
        }
        output.WriteLine($"  run: wall {total.WallSeconds:F2} s, stage work {total.WorkSeconds:F2} s, outside stage work {total.OverheadSeconds:F2} s " +
                         $"({100 * total.OverheadShare:F2}%); peak RSS worker {total.WorkerPeakRssMiB:F0} MiB, host {total.HostPeakRssMiB:F0} MiB");
    }

    private static int Validate(MeasuredRun costs, MeasuredRun target, int slots, double dispatch, double tolerance, TextWriter output)
    {
        var check = PlanValidation.Check(costs, target, slots, dispatch);
        var s = target.Settings;
        output.WriteLine();
        output.WriteLine($"independent check: costs from {costs.RunId} (renderSize {costs.Settings.RenderSize}, viewCount {costs.Settings.ViewCount}, " +
                         $"framesPerClip {costs.Settings.FramesPerClip}), predicting {target.RunId} (renderSize {s.RenderSize}, viewCount {s.ViewCount}, " +
                         $"framesPerClip {s.FramesPerClip}) on {slots} worker slots, {1000 * dispatch:F0} ms dispatch per item");
        output.WriteLine($"  {"stage",-18} {"items",5} {"predicted s/item",17} {"measured s/item",16} {"error",7}");
        foreach (var c in check.Stages)
        {
            var measured = c.MeasuredPerItem is { } m ? $"{m,16:F2} {100 * (c.PredictedPerItem - m) / m,6:+0;-0}%" : $"{"-",16}";
            output.WriteLine($"  {c.Stage.Slug(),-18} {c.Items,5} {c.PredictedPerItem,17:F2} {measured}");
        }
        bool ok = Math.Abs(check.Error) <= tolerance;
        output.WriteLine($"  wall (first submission to last completion): predicted {check.PredictedWall:F1} s, measured {check.MeasuredWall:F1} s, " +
                         $"error {100 * check.Error:+0.0;-0.0}% ({(ok ? "within" : "NOT within")} {100 * tolerance:F0}%)");
        return ok ? 0 : 1;
    }
}
