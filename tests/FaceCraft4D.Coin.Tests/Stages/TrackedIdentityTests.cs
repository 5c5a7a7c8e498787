using System.Text;
using FaceCraft4D.Contracts;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Testing;

namespace FaceCraft4D.Coin.Tests.Stages;

/// <summary>
/// Stage 6 refines the identity (shape and static offsets) while tracking; the tracked FLAME frames belong to that
/// identity, so TrainCoin, Export and Evaluate load it in place of the shape prior's when track-flame provides one.
/// </summary>
public sealed class TrackedIdentityTests
{
    [Fact]
    public async Task The_tracked_shape_and_offsets_replace_the_shape_priors_and_a_mismatch_is_an_input_error()
    {
        var blobs = new InMemoryBlobStore();
        using var scene = new SyntheticHeadScene(size: 24, viewCount: 4);
        var run = await SyntheticStageRun.WriteAsync(blobs, scene, SyntheticStageRun.SmallSettings(), "tracked-identity", withVideos: false);
        using var host = new TrainingStageHost(blobs);
        var loader = host.Get<TrainingHeadLoader>();
        StageJobContext Context(Dictionary<string, BlobRef> inputs) => new(
            new StageRequest(run.RunId, PipelineStage.TrainCoin, PipelinePlan.SingleKey, inputs, run.Settings, new Dictionary<string, string>()),
            blobs, new Progress<JobProgress>(), "test", CancellationToken.None);

        using var prior = await loader.LoadAsync(Context(run.Inputs));
        int vertices = (int)prior.Data.VTemplate.shape[0];
        float[] priorTemplate = prior.Data.VTemplate.data<float>().ToArray();
        Assert.DoesNotContain("track-flame", prior.Source);

        // The tracker's identity: a different shape and the static offsets moved 2 mm forward (z) everywhere.
        var shape = prior.Fit.Shape.Select((s, i) => s + 0.1f * (i + 1)).ToArray();
        var priorOffsets = HeadMeshColours.ReadFloats((await blobs.TryReadAsync(run.Inputs[StageFiles.From(PipelineStage.ShapePrior, prior.Fit.VertexOffsets)], CancellationToken.None))!.ToMemory().Span);
        var offsets = priorOffsets.Select((o, i) => i % 3 == 2 ? o + 0.002f : o).ToArray();
        var inputs = new Dictionary<string, BlobRef>(run.Inputs)
        {
            ["track-flame/tracking.json"] = await blobs.WriteAsync(
                StorageLayout.StageOutput(run.RunId, PipelineStage.TrackFlame, PipelinePlan.SingleKey, "tracking.json"),
                new BinaryData(Encoding.UTF8.GetBytes(
                    $"{{\"format\":\"fc4d-tracking/1\",\"shape\":[{string.Join(",", shape.Select(s => s.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}],\"offsets\":\"offsets.f32\",\"clips\":[],\"backend\":\"test\"}}")),
                "application/json", CancellationToken.None),
            ["track-flame/offsets.f32"] = await blobs.WriteAsync(
                StorageLayout.StageOutput(run.RunId, PipelineStage.TrackFlame, PipelinePlan.SingleKey, "offsets.f32"),
                new BinaryData(offsets.SelectMany(BitConverter.GetBytes).ToArray()), "application/octet-stream", CancellationToken.None),
        };

        using var tracked = await loader.LoadAsync(Context(inputs));
        Assert.Equal(shape, tracked.Fit.Shape);
        Assert.Contains("track-flame identity", tracked.Source);
        float[] trackedTemplate = tracked.Data.VTemplate.data<float>().ToArray();
        for (int v = 0; v < vertices; v++)
        {
            Assert.Equal(priorTemplate[3 * v], trackedTemplate[3 * v], 6);
            Assert.Equal(priorTemplate[3 * v + 2] + 0.002f, trackedTemplate[3 * v + 2], 5);
        }

        // A tracked identity of another model is refused with a clear input error, not silently mixed in.
        inputs["track-flame/offsets.f32"] = await blobs.WriteAsync(
            StorageLayout.StageOutput(run.RunId, PipelineStage.TrackFlame, PipelinePlan.SingleKey, "offsets.f32"),
            new BinaryData(new byte[12 * 5]), "application/octet-stream", CancellationToken.None);
        var error = await Assert.ThrowsAsync<StageInputException>(() => loader.LoadAsync(Context(inputs)));
        Assert.Equal("input-invalid", error.ReasonCode);
        Assert.Contains("5 vertices", error.Message);
    }
}
