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
    public async Task Evaluate_renders_the_exported_rig_with_the_protocol_and_writes_metrics_with_their_models_also_from_train_coins_avatar_beside_the_export()
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

        // Contact sheet: the input crop beside renders at 0, +30, -30, +60, -60 and 180 degrees, with its description.
        var sheetBlob = result.Outputs[ContactSheetWriter.ImageFile];
        Assert.Equal(StorageLayout.AvatarArtifact(run.RunId, "contact-sheet.png").Name, sheetBlob.Name);
        using var sheet = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>((await host.ReadAsync(sheetBlob)).ToArray());
        var description = MetricsJson.Deserialize<ContactSheetDescription>((await host.ReadAsync(result.Outputs[ContactSheetWriter.DescriptionFile])).ToString());
        Assert.Equal(["input", "yaw+0", "yaw+30", "yaw-30", "yaw+60", "yaw-60", "yaw180"], description.Tiles.Select(t => t.Name));
        Assert.Equal(EvaluateStageHandler.BackendName, description.Backend);
        Assert.Equal(description.Tiles[^1].X + description.Tiles[^1].Width + 8, sheet.Width);
        double NonWhite(ContactSheetTile t)
        {
            var count = 0;
            for (var y = t.Y; y < t.Y + t.Height; y++)
                for (var x = t.X; x < t.X + t.Width; x++)
                    if (sheet[x, y] is var p && p.R + p.G + p.B < 3 * 250) count++;
            return count / (double)(t.Width * t.Height);
        }

        foreach (var tile in description.Tiles) Assert.InRange(NonWhite(tile), 0.01, 1.0); // the head is in every tile

        // Pipeline version 3 runs Evaluate beside Export from TrainCoin's avatar, exported in memory by the export's own
        // bake and rig writer: the same rig, so the same figures as from the stored rig.
        var beside = await host.RunAsync(run.Request(PipelineStage.Evaluate, coin.Outputs.ToDictionary(kv => $"train-coin/{kv.Key}", kv => kv.Value)));
        Assert.DoesNotContain(run.Request(PipelineStage.Evaluate, coin.Outputs.ToDictionary(kv => $"train-coin/{kv.Key}", kv => kv.Value)).Inputs.Keys,
            k => k.StartsWith("export/", StringComparison.Ordinal));
        Assert.Equal(
            result.Metrics!.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, Math.Round(kv.Value, 9))),
            beside.Metrics!.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, Math.Round(kv.Value, 9))));
    }
}
