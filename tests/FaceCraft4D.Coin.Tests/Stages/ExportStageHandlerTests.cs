using System.Text.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Export;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Weights;
using FaceCraft4D.Stages.Export;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Testing;
using FaceCraft4D.Weights.Scalars;
using SixLabors.ImageSharp;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace FaceCraft4D.Coin.Tests.Stages;

/// <summary>Export on a synthetic run trained by the real TrainStatic and TrainCoin handlers.</summary>
public sealed class ExportStageHandlerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Export_writes_the_ply_rig_turntable_and_per_frame_animation_that_reproduces_the_posed_avatar()
    {
        using var scene = new SyntheticHeadScene();
        var blobs = new InMemoryBlobStore();
        using var host = new TrainingStageHost(blobs);
        var run = await SyntheticStageRun.WriteAsync(blobs, scene, SyntheticStageRun.SmallSettings(staticIterations: 10, coinIterations: 10), "export", withVideos: true);
        var trainedStatic = await host.RunAsync(run.Request(PipelineStage.TrainStatic));
        var coin = await host.RunAsync(run.Request(PipelineStage.TrainCoin, trainedStatic.Outputs.ToDictionary(kv => $"train-static/{kv.Key}", kv => kv.Value)));

        var result = await host.RunAsync(run.Request(PipelineStage.Export, coin.Outputs.ToDictionary(kv => $"train-coin/{kv.Key}", kv => kv.Value)));

        output.WriteLine("Export outputs: " + string.Join(", ", result.Outputs.Keys.Order()));
        foreach (var name in new[] { ExportFiles.Ply, ExportFiles.RigTensors, ExportFiles.RigManifest, ExportFiles.TurntableGif, ExportFiles.TurntableFrame(3),
                     ExportFiles.AnimationIndex, ExportFiles.Animation("clip-00"), ExportFiles.PosedPly("clip-00", 2), ExportFiles.AnimationGif, ExportFiles.Summary })
        {
            Assert.Contains(name, result.Outputs.Keys);
            Assert.Equal(StorageLayout.AvatarArtifact(run.RunId, name).Name, result.Outputs[name].Name);
        }
        Assert.Equal(1, result.Metrics!["coin_baked"]);

        using var flame = new FlameModel(scene.Data);
        using var ply = (await host.ReadAsync(result.Outputs[ExportFiles.Ply])).ToStream();
        var gaussians = await GaussianPlyFile.ReadAsync(ply);
        using var rigStream = (await host.ReadAsync(result.Outputs[ExportFiles.RigTensors])).ToStream();
        using var rig = await AvatarRigFile.ReadAvatarAsync(rigStream, flame);
        Assert.Equal(rig.Parameters.Count, gaussians.Count);
        using (var gif = Image.Load((await host.ReadAsync(result.Outputs[ExportFiles.TurntableGif])).ToArray()))
            Assert.Equal(4, gif.Frames.Count);

        // The animation file and the rig give every Gaussian's posed mean: the same as posing the rig with FLAME.
        var index = JsonSerializer.Deserialize<AnimationIndexDocument>((await host.ReadAsync(result.Outputs[ExportFiles.AnimationIndex])).ToString(), ContractJson.Options)!;
        var entry = Assert.Single(index.Clips);
        Assert.Equal(("clip-00", 4, "track-flame"), (entry.Name, entry.Frames, entry.Source));
        var animation = InMemorySafeTensors.FromArray((await host.ReadAsync(result.Outputs[entry.File])).ToArray());
        Assert.Equal(AnimationFile.FormatTag, animation.Metadata["format"]);
        using var scope = torch.NewDisposeScope();
        int f = 2;
        var centers = animation.GetTorch("triangle_centers", dtype: ScalarType.Float32)[f];
        var rotations = animation.GetTorch("triangle_rotations", dtype: ScalarType.Float32)[f];
        var scales = animation.GetTorch("triangle_scales", dtype: ScalarType.Float32)[f];
        var p = rig.Parameters;
        var t = p.Binding!;
        var r = Matrix(rotations.index_select(0, t));
        var means = (torch.matmul(r, p.Positions.unsqueeze(-1)).squeeze(-1) * scales.index_select(0, t).unsqueeze(1)).Plus(centers.index_select(0, t));
        var clip = SyntheticStageRun.Clip(4);
        var expected = rig.Evaluate(clip[f].ToParameters(flame, rig.Shape)).Means;
        double error = (means - expected).abs().max().item<float>();
        output.WriteLine($"animation frame {f}: largest mean error from the float16 triangle frames {error * 1000:F3} mm");
        Assert.True(error < 1e-3, $"posed means differ by {error} m");

        using var posedStream = (await host.ReadAsync(result.Outputs[ExportFiles.PosedPly("clip-00", 2)])).ToStream();
        var posed = await GaussianPlyFile.ReadAsync(posedStream);
        Assert.Equal(gaussians.Count, posed.Count);
    }

    /// <summary>Rotation matrices [N, 3, 3] of unit quaternions [N, 4] (w, x, y, z), the viewer's formula.</summary>
    private static Tensor Matrix(Tensor q)
    {
        q = torch.nn.functional.normalize(q, p: 2, dim: 1);
        var (w, x, y, z) = (q[.., 0], q[.., 1], q[.., 2], q[.., 3]);
        return torch.stack([
            (y * y).Plus(z * z).Times(2).SubtractedFrom(1), (x * y - w * z).Times(2), (x * z).Plus(w * y).Times(2),
            (x * y).Plus(w * z).Times(2), (x * x).Plus(z * z).Times(2).SubtractedFrom(1), (y * z - w * x).Times(2),
            (x * z - w * y).Times(2), (y * z).Plus(w * x).Times(2), (x * x).Plus(y * y).Times(2).SubtractedFrom(1),
        ], 1).reshape(-1, 3, 3);
    }

    [Fact]
    public async Task Export_without_tracked_clips_writes_a_demo_clip()
    {
        using var scene = new SyntheticHeadScene();
        var blobs = new InMemoryBlobStore();
        using var host = new TrainingStageHost(blobs);
        var run = await SyntheticStageRun.WriteAsync(blobs, scene, SyntheticStageRun.SmallSettings(staticIterations: 5, coinIterations: 0), "demo", withVideos: false);
        var trainedStatic = await host.RunAsync(run.Request(PipelineStage.TrainStatic));
        var coin = await host.RunAsync(run.Request(PipelineStage.TrainCoin, trainedStatic.Outputs.ToDictionary(kv => $"train-static/{kv.Key}", kv => kv.Value)));
        Assert.Equal(0, coin.Metrics!["iterations"]);

        var result = await host.RunAsync(run.Request(PipelineStage.Export, coin.Outputs.ToDictionary(kv => $"train-coin/{kv.Key}", kv => kv.Value)));

        Assert.Contains(ExportFiles.Animation("demo"), result.Outputs.Keys);
        Assert.Contains(result.Notes!, n => n.Contains("demo clip", StringComparison.Ordinal));
    }
}
