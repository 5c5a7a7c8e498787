using FaceCraft4D.Animation.Rig;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.ShapePrior;
using TorchSharp;

namespace FaceCraft4D.Animation.Tests.Stages;

/// <summary>The sample run's fitted head, to compare parameter sets by the surfaces they make.</summary>
public sealed class TrackedSubject : IDisposable
{
    private readonly FlameModelData model;
    private readonly AnimatableHead head;

    private TrackedSubject(FlameModelData model, AnimatableHead head)
    {
        this.model = model;
        this.head = head;
    }

    public static async Task<TrackedSubject> ReadAsync(SampleVideoRun run)
    {
        var fit = System.Text.Json.JsonSerializer.Deserialize<FlameFitDocument>(
            (await run.Harness.Blobs.TryReadAsync(run.Inputs["shape-prior/flame.json"], CancellationToken.None))!.ToString(), ContractJson.Options)!;
        await using var stream = (await run.Harness.Blobs.TryReadAsync(run.Inputs["shape-prior/" + StageFiles.HeadModel], CancellationToken.None))!.ToStream();
        var model = await FlameModelFile.LoadAsync(stream);
        return new TrackedSubject(model, new AnimatableHead(model, fit.Model.Name, fit.Shape, FittedHeadSceneNeutral(fit), null, torch.CPU));
    }

    private static FlameFrame FittedHeadSceneNeutral(FlameFitDocument fit) => FaceCraft4D.Stages.Animation.FittedHeadScene.NeutralOf(fit);

    /// <summary>Mean distance (metres) between the head-surface vertices of two parameter sets.</summary>
    public double MeanVertexDistance(FlameFrame a, FlameFrame b)
    {
        var meshes = head.Meshes([a, b]);
        double sum = 0;
        for (int v = 0; v < head.BaseVertexCount; v++) sum += System.Numerics.Vector3.Distance(meshes[0].Position(v), meshes[1].Position(v));
        return sum / head.BaseVertexCount;
    }

    public void Dispose()
    {
        head.Dispose();
        model.Dispose();
    }
}
