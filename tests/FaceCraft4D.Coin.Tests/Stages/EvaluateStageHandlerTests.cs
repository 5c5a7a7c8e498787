using FaceCraft4D.Contracts;
using FaceCraft4D.Metrics;
using FaceCraft4D.Metrics.Evaluation;
using FaceCraft4D.Stages.Evaluation;
using FaceCraft4D.Testing;
using Xunit;
using Xunit.Abstractions;

namespace FaceCraft4D.Coin.Tests.Stages;

/// <summary>Evaluate on the avatar that the real TrainStatic, TrainCoin and Export handlers made of a synthetic run.</summary>
public sealed class EvaluateStageHandlerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Evaluate_renders_the_exported_rig_with_the_protocol_and_writes_metrics_with_their_models()
    {
        using var scene = new SyntheticHeadScene();
        var blobs = new InMemoryBlobStore();
        using var host = new TrainingStageHost(blobs);
        var run = await SyntheticStageRun.WriteAsync(blobs, scene, SyntheticStageRun.SmallSettings(staticIterations: 40, coinIterations: 10), "evaluate", withVideos: false);
        var trainedStatic = await host.RunAsync(run.Request(PipelineStage.TrainStatic));
        var coin = await host.RunAsync(run.Request(PipelineStage.TrainCoin, trainedStatic.Outputs.ToDictionary(kv => $"train-static/{kv.Key}", kv => kv.Value)));
        var export = await host.RunAsync(run.Request(PipelineStage.Export, coin.Outputs.ToDictionary(kv => $"train-coin/{kv.Key}", kv => kv.Value)));

        var result = await host.RunAsync(run.Request(PipelineStage.Evaluate, export.Outputs.ToDictionary(kv => $"export/{kv.Key}", kv => kv.Value)));

        Assert.Equal(EvaluateStageHandler.BackendName, result.Backend);
        var metricsBlob = result.Outputs[EvaluateStageHandler.MetricsFile];
        Assert.Equal(StorageLayout.AvatarArtifact(run.RunId, "metrics.json").Name, metricsBlob.Name);
        var document = MetricsJson.Deserialize<AvatarMetricsDocument>((await host.ReadAsync(metricsBlob)).ToString());
        output.WriteLine(string.Join(Environment.NewLine, document.Metrics.Values.Select(m => $"{m.Metric}: {m.Value?.ToString("F3") ?? "-"} {m.Model} {m.SkippedReason}")));

        var psnr = document.Metrics[MetricNames.Psnr];
        var ssim = document.Metrics[MetricNames.Ssim];
        Assert.InRange(psnr.Value!.Value, 12, 60);
        Assert.InRange(ssim.Value!.Value, 0.3, 1.0);
        Assert.True(document.Metrics[MetricNames.Lpips].IsSkipped);
        Assert.Contains(document.Views, v => v.Kind == FaceCraft4D.Metrics.Protocol.ViewKind.Static);
        Assert.Contains(document.Views, v => v.Kind == FaceCraft4D.Metrics.Protocol.ViewKind.Animation);
        Assert.Equal(psnr.Value!.Value, result.Metrics![MetricNames.Psnr], 6);
    }
}
