using System.Text.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Testing;
using TorchSharp;
using Xunit.Abstractions;

namespace FaceCraft4D.Coin.Tests.Stages;

/// <summary>TrainStatic and TrainCoin on a synthetic run (known avatar rendered into the stage 1-6 layout), in memory.</summary>
public sealed class TrainingStageHandlerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TrainStatic_trains_with_coin_on_the_static_views_and_writes_the_avatar_report_preview_and_state()
    {
        using var scene = new SyntheticHeadScene();
        var blobs = new InMemoryBlobStore();
        using var host = new TrainingStageHost(blobs);
        var run = await SyntheticStageRun.WriteAsync(blobs, scene, SyntheticStageRun.SmallSettings(staticIterations: 40), "static", withVideos: false);
        var progress = new List<JobProgress>();

        var result = await host.RunAsync(run.Request(PipelineStage.TrainStatic), progress);

        // The worker's default perceptual loss (auto): LPIPS weights are absent here, the NuGet ResNet-18 file is restored.
        Assert.Equal($"gaussian-avatar+coin:{ResNet18PerceptualLoss.BackendName}", result.Backend);
        Assert.Contains(TrainingFiles.AvatarState, result.Outputs.Keys);
        Assert.Contains(TrainingFiles.Preview, result.Outputs.Keys);
        var report = JsonSerializer.Deserialize<TrainingReportDocument>((await host.ReadAsync(result.Outputs[TrainingFiles.Report])).ToString(), ContractJson.Options)!;
        output.WriteLine($"TrainStatic: {report.Iterations} iterations, {report.Gaussians} Gaussians, PSNR consistent {report.Quality.PsnrConsistent:F2} dB, " +
                         $"with offsets {report.Quality.PsnrWithOffsets:F2} dB, reference embedding {report.Quality.PsnrReferenceEmbedding:F2} dB, {report.TrainingSeconds:F1} s");
        Assert.Equal(40, report.Iterations);
        Assert.True(report.Coin.Enabled);
        Assert.Equal(ResNet18PerceptualLoss.BackendName, report.Coin.PerceptualLoss);
        Assert.Equal(4, report.Data.StaticViews);
        Assert.Null(report.ResumedFrom);
        double firstStep = progress.First(p => p.Figures?.ContainsKey("psnr") == true).Figures!["psnr"];
        output.WriteLine($"PSNR of the first step's training view: {firstStep:F2} dB");
        Assert.True(report.Quality.PsnrConsistent > firstStep + 3, $"PSNR {firstStep:F2} -> {report.Quality.PsnrConsistent:F2} dB after 40 iterations");
        Assert.Equal(40, progress.Max(p => p.Done));
        Assert.All(progress, p => Assert.Null(p.ResumedFrom));
        Assert.Contains(progress, p => p.Figures is { } f && f.ContainsKey("perceptual") && f.ContainsKey("offset_l1") && p.EtaSeconds is not null);
        Assert.Equal(1, result.Metrics!["coin"]);

        var state = await host.ReadAsync(StorageLayout.StageOutput(run.RunId, PipelineStage.TrainStatic, "0", TrainingFiles.State));
        var (header, _) = TrainingStateFile.Unpack(state.ToArray());
        Assert.Equal((40, "final"), (header.Iteration, header.Reason));
        Assert.Equal(run.Request(PipelineStage.TrainStatic).IdempotencyKey(), header.Job);
    }

    [Fact]
    public async Task TrainStatic_stopped_mid_run_saves_its_state_and_the_resubmitted_job_resumes_and_ends_where_an_uninterrupted_run_ends()
    {
        using var scene = new SyntheticHeadScene();
        var blobs = new InMemoryBlobStore();
        using var host = new TrainingStageHost(blobs);
        var settings = SyntheticStageRun.SmallSettings(staticIterations: 30, checkpointEvery: 10);
        var interrupted = await SyntheticStageRun.WriteAsync(blobs, scene, settings, "interrupted", withVideos: false);
        var straight = await SyntheticStageRun.WriteAsync(blobs, scene, settings, "straight", withVideos: false);

        // First submission: the worker stops (token cancelled) after iteration 17.
        using var stop = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            host.RunAsync(interrupted.Request(PipelineStage.TrainStatic), p => { if (p.Done >= 17) stop.Cancel(); }, stop.Token));
        var stateBlob = StorageLayout.StageOutput(interrupted.RunId, PipelineStage.TrainStatic, "0", TrainingFiles.State);
        var (saved, _) = TrainingStateFile.Unpack((await host.ReadAsync(stateBlob)).ToArray());
        Assert.Equal("cancelled", saved.Reason);
        Assert.InRange(saved.Iteration, 17, 18);

        // Second submission of the same request: resumes from the saved iteration.
        var progress = new List<JobProgress>();
        var resumed = await host.RunAsync(interrupted.Request(PipelineStage.TrainStatic), progress);
        Assert.Equal(saved.Iteration, resumed.Metrics!["resumed_from"]);
        var first = progress.First(p => p.ResumedFrom is not null);
        Assert.Equal((saved.Iteration, saved.Iteration), (first.Done, first.ResumedFrom!.Value));
        Assert.All(progress.Where(p => p.Done > saved.Iteration), p => Assert.Equal(saved.Iteration, p.ResumedFrom));
        Assert.Equal(30, progress.Max(p => p.Done));

        var reference = await host.RunAsync(straight.Request(PipelineStage.TrainStatic));
        using var flame = new FlameModel(scene.Data);
        using var a = await ReadAvatarAsync(host, resumed, flame);
        using var b = await ReadAvatarAsync(host, reference, flame);
        Assert.Equal(b.Avatar.Parameters.Count, a.Avatar.Parameters.Count);
        double worst = 0;
        foreach (var name in Graphics.Avatar.GaussianParameters.TrainableNames)
            worst = Math.Max(worst, (a.Avatar.Parameters[name] - b.Avatar.Parameters[name]).abs().max().item<float>());
        output.WriteLine($"resumed at {saved.Iteration}: largest parameter difference to the uninterrupted run {worst:E2}; PSNR {resumed.Metrics["psnr_consistent"]:F3} vs {reference.Metrics!["psnr_consistent"]:F3} dB");
        Assert.True(worst < 1e-5, $"resumed run differs from the uninterrupted one by {worst}");
        Assert.Equal(reference.Metrics["psnr_consistent"], resumed.Metrics["psnr_consistent"], 3);
    }

    [Fact]
    public async Task A_saved_state_of_another_job_is_not_resumed()
    {
        using var scene = new SyntheticHeadScene();
        var blobs = new InMemoryBlobStore();
        using var host = new TrainingStageHost(blobs);
        var run = await SyntheticStageRun.WriteAsync(blobs, scene, SyntheticStageRun.SmallSettings(staticIterations: 10), "foreign", withVideos: false);
        var foreign = TrainingStateFile.Pack(new TrainingStateHeader("some-other-job", 5, 10, "periodic", DateTimeOffset.UtcNow), [1, 2, 3]);
        await blobs.WriteAsync(StorageLayout.StageOutput(run.RunId, PipelineStage.TrainStatic, "0", TrainingFiles.State), new BinaryData(foreign), "application/octet-stream", CancellationToken.None);

        var result = await host.RunAsync(run.Request(PipelineStage.TrainStatic));

        Assert.Equal(0, result.Metrics!["resumed_from"]);
        Assert.Contains(result.Notes!, n => n.Contains("another job", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TrainCoin_fine_tunes_the_static_avatar_on_the_tracked_videos_and_on_the_static_views()
    {
        using var scene = new SyntheticHeadScene();
        var blobs = new InMemoryBlobStore();
        using var host = new TrainingStageHost(blobs);
        var run = await SyntheticStageRun.WriteAsync(blobs, scene, SyntheticStageRun.SmallSettings(staticIterations: 20, coinIterations: 20), "coin", withVideos: true);
        var trainedStatic = await host.RunAsync(run.Request(PipelineStage.TrainStatic));
        var extra = trainedStatic.Outputs.ToDictionary(kv => $"train-static/{kv.Key}", kv => kv.Value);

        var result = await host.RunAsync(run.Request(PipelineStage.TrainCoin, extra));

        var report = JsonSerializer.Deserialize<TrainingReportDocument>((await host.ReadAsync(result.Outputs[TrainingFiles.Report])).ToString(), ContractJson.Options)!;
        output.WriteLine($"TrainCoin: {report.Data.Videos} videos, {report.Data.VideoFrames} frames + {report.Data.StaticViews} static views, PSNR consistent {report.Quality.PsnrConsistent:F2} dB");
        Assert.Equal((1, 4, 4, 4), (report.Data.Videos, report.Data.VideoFrames, report.Data.VideoFramesAvailable, report.Data.StaticViews));
        Assert.Equal("synthetic", report.Data.VideoBackend);
        Assert.Equal(20, report.Iterations);
        Assert.True(report.Coin.Enabled);
        Assert.True(report.Quality.PsnrConsistent > trainedStatic.Metrics!["psnr_consistent"] - 0.5, $"PSNR {trainedStatic.Metrics["psnr_consistent"]:F2} -> {report.Quality.PsnrConsistent:F2} dB");
    }

    [Fact]
    public async Task TrainCoin_without_videos_fine_tunes_on_the_static_views_only()
    {
        using var scene = new SyntheticHeadScene();
        var blobs = new InMemoryBlobStore();
        using var host = new TrainingStageHost(blobs);
        var run = await SyntheticStageRun.WriteAsync(blobs, scene, SyntheticStageRun.SmallSettings(staticIterations: 10, coinIterations: 10), "novideo", withVideos: false);
        var trainedStatic = await host.RunAsync(run.Request(PipelineStage.TrainStatic));
        var extra = trainedStatic.Outputs.ToDictionary(kv => $"train-static/{kv.Key}", kv => kv.Value);

        var result = await host.RunAsync(run.Request(PipelineStage.TrainCoin, extra));

        Assert.Contains(result.Notes!, n => n.Contains("static views only", StringComparison.Ordinal));
        Assert.Equal(10, result.Metrics!["iterations"]);
        Assert.Contains(TrainingFiles.AvatarState, result.Outputs.Keys);
    }

    private static async Task<CoinAvatar> ReadAvatarAsync(TrainingStageHost host, StageResult result, FlameModel flame)
    {
        using var stream = (await host.ReadAsync(result.Outputs[TrainingFiles.AvatarState])).ToStream();
        return await CoinAvatarFile.ReadAsync(stream, flame);
    }
}
