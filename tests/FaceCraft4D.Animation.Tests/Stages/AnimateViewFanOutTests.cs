using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker;
using FaceCraft4D.LocalHost.Infrastructure;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Evaluation;
using FaceCraft4D.Stages.Export;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace FaceCraft4D.Animation.Tests.Stages;

/// <summary>
/// The AnimateView fan-out on the real local stack: Azurite, the durable engine, the real orchestration and two real
/// GPU worker apps (<see cref="GpuWorkerApp.Build"/> with the real handlers of stages 1-6; stages 7-10 are synthetic
/// 100 ms jobs), each running one job at a time. The sample portrait goes through the whole DAG.
/// </summary>
public sealed class AnimateViewFanOutTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const string Settings =
        "{\"renderSize\":64,\"viewCount\":8,\"sourceViewCount\":3,\"clipCount\":4,\"framesPerClip\":6," +
        "\"trackingFirstFrameIterations\":10,\"trackingPerFrameIterations\":3,\"trackingGlobalEpochs\":1}";

    [Fact]
    public async Task Animate_view_items_run_in_parallel_on_two_workers_so_the_stage_takes_far_less_than_the_sum_of_its_items()
    {
        await using var first = await StartWorkerAsync();
        await using var second = await StartWorkerAsync();
        await using var host = await LocalHostHarness.StartAsync(azurite.ConnectionString, [first.Url, second.Url], "fanout");
        var photo = await File.ReadAllBytesAsync(Path.Combine(RepositoryRoot.Locate(), "infra", "samples", "portrait.jpg"));
        var submission = await host.SubmitAsync(photo, Settings);
        var status = await host.WaitForEndAsync(submission.RunId, TimeSpan.FromMinutes(12));
        Assert.True(status.RuntimeStatus == "Completed", $"{status.RuntimeStatus}: {status.Error}");
        Assert.Equal("rig", status.Output!.Backends["animate-view"]);

        var blobs = azurite.CreateBlobStore();
        var settings = PipelinePresets.Preview with { RenderSize = 64, ViewCount = 8, SourceViewCount = 3, ClipCount = 4, FramesPerClip = 6 };
        var items = PipelinePlan.For(settings).WorkItems(PipelineStage.AnimateView);
        var records = new List<CheckpointRecord>();
        foreach (var item in items)
        {
            var data = await blobs.TryReadAsync(StorageLayout.StageCheckpoint(submission.RunId, PipelineStage.AnimateView, item.Key), CancellationToken.None);
            records.Add(data!.ToObjectFromJson<CheckpointRecord>(ContractJson.Options)!);
        }
        // Execution intervals as measured inside the handler (the checkpoint's start is the job's creation, queueing included).
        var runs = records.Select(r => (Start: r.Metrics!["job_started_unix_ms"], End: r.Metrics["job_completed_unix_ms"])).ToArray();
        double sum = runs.Sum(r => r.End - r.Start) / 1000, wall = (runs.Max(r => r.End) - runs.Min(r => r.Start)) / 1000;
        double checkpointSum = records.Sum(r => r.DurationMs) / 1000.0;
        double checkpointWall = (records.Max(r => r.CompletedAt) - records.Min(r => r.StartedAt)).TotalSeconds;
        int concurrency = MaxOverlap(runs);
        output.WriteLine($"animate-view: {items.Count} items on 2 workers x 1 job slot; stage wall time {wall:F2} s, sum of item times {sum:F2} s " +
                         $"(ratio {wall / sum:F2}); most items running at once {concurrency}");
        output.WriteLine($"checkpoint records (job creation to completion, queueing included): wall {checkpointWall:F2} s, sum {checkpointSum:F2} s");
        foreach (var (item, r) in items.Zip(records)) output.WriteLine($"  {item.Key}: {r.DurationMs / 1000.0:F2} s from submission, {(r.Metrics!["job_completed_unix_ms"] - r.Metrics["job_started_unix_ms"]) / 1000:F2} s running");
        Assert.Equal(2, concurrency);
        Assert.True(wall < 0.8 * sum, $"the stage took {wall:F1} s for {sum:F1} s of items: no parallelism");
        var tracking = await blobs.TryReadAsync(StorageLayout.StageCheckpoint(submission.RunId, PipelineStage.TrackFlame, PipelinePlan.SingleKey), CancellationToken.None);
        Assert.NotNull(tracking);
    }

    private static int MaxOverlap(IReadOnlyList<(double Start, double End)> runs)
    {
        var events = runs.SelectMany(r => new[] { (T: r.Start, D: 1), (T: r.End, D: -1) }).OrderBy(e => e.T).ThenBy(e => e.D);
        int now = 0, max = 0;
        foreach (var e in events) { now += e.D; max = Math.Max(max, now); }
        return max;
    }

    private async Task<RealWorker> StartWorkerAsync()
    {
        var url = new Uri($"http://127.0.0.1:{FreeTcpPort.Find()}/");
        var ledger = new ExecutionLedger();
        var app = GpuWorkerApp.Build(
            [
                "--urls", url.ToString().TrimEnd('/'),
                $"--Fc4d:Storage:ConnectionString={azurite.ConnectionString}",
                "--Fc4d:Worker:MaxConcurrentJobs=1",
                "--Logging:LogLevel:Default=Warning",
                .. TestGpuWorker.AuthArguments,
            ],
            services =>
            {
                // Real handlers for stages 1-6 (registered by the app); the training, export and evaluation stages are stand-ins.
                var standIns = new[] { typeof(TrainStaticStageHandler), typeof(TrainCoinStageHandler), typeof(ExportStageHandler), typeof(EvaluateStageHandler) };
                foreach (var real in services.Where(d => d.ServiceType == typeof(IStageHandler) && standIns.Contains(d.ImplementationType)).ToList())
                    services.Remove(real);
                foreach (var stage in new[] { PipelineStage.TrainStatic, PipelineStage.TrainCoin, PipelineStage.Export, PipelineStage.Evaluate })
                    services.AddSingleton<IStageHandler>(new SyntheticStageHandler(stage, ledger, TimeSpan.FromMilliseconds(100)));
            });
        await app.StartAsync();
        return new RealWorker(app, url);
    }

    private sealed record RealWorker(WebApplication App, Uri Url) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
