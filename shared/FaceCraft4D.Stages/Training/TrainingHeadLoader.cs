using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Stages.Models;
using FaceCraft4D.Stages.ShapePrior;
using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Stages.Training;

/// <summary>
/// Loads the run's head for TrainStatic, TrainCoin and Export from the shape prior's outputs: <c>shape-prior/flame.json</c>,
/// the model (<c>shape-prior/head-model.safetensors</c> when the built-in head was used, otherwise the operator's FLAME at the
/// models-store path <c>flame.json</c> names), <c>shape-prior/vertex-offsets.f32</c> and <c>shape-prior/head.ply</c>.
/// When the request also carries stage 6's <c>track-flame/tracking.json</c> with an identity (<c>shape</c> and an
/// <c>offsets</c> file), that refined identity replaces the shape prior's: the tracked FLAME frames were fitted on it, so
/// the video frames and the mesh agree.
/// </summary>
public sealed class TrainingHeadLoader(ModelStore models)
{
    /// <summary>Reads and personalises the head (see <see cref="TrainingHead"/>).</summary>
    public async Task<TrainingHead> LoadAsync(StageJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ct = context.CancellationToken;
        var fit = await context.ReadRequiredJsonAsync<FlameFitDocument>(StageFiles.From(PipelineStage.ShapePrior, StageFiles.Flame)).ConfigureAwait(false);
        FlameModelData model;
        string source;
        if (fit.Model.File is { Length: > 0 } file)
        {
            var bytes = await context.ReadRequiredAsync(StageFiles.From(PipelineStage.ShapePrior, file)).ConfigureAwait(false);
            using var stream = bytes.ToStream();
            model = await ReadModelAsync(stream, $"shape-prior/{file}", ct).ConfigureAwait(false);
            source = $"shape-prior/{file}";
        }
        else
        {
            var opened = await models.TryOpenAsync(fit.Model.Source, ct).ConfigureAwait(false)
                ?? throw new BackendUnavailableException($"The shape prior fitted the FLAME model at {models.Describe(fit.Model.Source)}; it is not in this worker's models store.");
            await using var stream = opened.Stream;
            model = await ReadModelAsync(stream, opened.Source, ct).ConfigureAwait(false);
            source = opened.Source;
        }

        try
        {
            if (model.VertexCount != fit.Model.VertexCount || model.FaceCount != fit.Model.FaceCount)
                throw new StageInputException("input-invalid",
                    $"flame.json describes {fit.Model.VertexCount} vertices / {fit.Model.FaceCount} faces; the model has {model.VertexCount} / {model.FaceCount}.");
            var offsetBytes = await context.ReadRequiredAsync(StageFiles.From(PipelineStage.ShapePrior, fit.VertexOffsets)).ConfigureAwait(false);
            var offsets = HeadMeshColours.ReadFloats(offsetBytes.ToMemory().Span);
            if (offsets.Length != model.VertexCount * 3)
                throw new StageInputException("input-invalid", $"{fit.VertexOffsets} has {offsets.Length / 3} vertices; the model has {model.VertexCount}.");
            if (await ReadTrackedIdentityAsync(context, fit, model.VertexCount).ConfigureAwait(false) is { } tracked)
            {
                fit = fit with { Shape = tracked.Shape };
                offsets = tracked.Offsets;
                source += " + track-flame identity";
            }
            float[]? colours = null;
            var meshName = StageFiles.From(PipelineStage.ShapePrior, fit.Mesh);
            if (context.Request.Inputs.ContainsKey(meshName))
            {
                colours = HeadMeshColours.TryRead((await context.ReadInputAsync(meshName).ConfigureAwait(false)).ToMemory().Span);
                if (colours is not null && colours.Length != model.VertexCount * 3) colours = null;
            }
            var personalised = WithTemplateOffsets(model, offsets);
            return new TrainingHead(personalised, fit, source, colours);
        }
        finally
        {
            model.Dispose();
        }
    }

    /// <summary>The shape and static offsets stage 6 refined, or null when the request has no tracked identity.</summary>
    private static async Task<(float[] Shape, float[] Offsets)?> ReadTrackedIdentityAsync(StageJobContext context, FlameFitDocument fit, int vertexCount)
    {
        var trackingName = StageFiles.From(PipelineStage.TrackFlame, "tracking.json");
        if (!context.Request.Inputs.ContainsKey(trackingName)) return null;
        var identity = await context.ReadRequiredJsonAsync<TrackedIdentityDocument>(trackingName).ConfigureAwait(false);
        if (identity.Shape is not { Length: > 0 } shape || identity.Offsets is not { Length: > 0 } offsetsFile) return null;
        if (shape.Length != fit.Shape.Length)
            throw new StageInputException("input-invalid", $"{trackingName} has {shape.Length} shape components; flame.json has {fit.Shape.Length}.");
        var bytes = await context.ReadRequiredAsync(StageFiles.From(PipelineStage.TrackFlame, offsetsFile)).ConfigureAwait(false);
        var offsets = HeadMeshColours.ReadFloats(bytes.ToMemory().Span);
        if (offsets.Length != vertexCount * 3)
            throw new StageInputException("input-invalid", $"track-flame/{offsetsFile} has {offsets.Length / 3} vertices; the model has {vertexCount}.");
        return (shape, offsets);
    }

    /// <summary>The identity part of <c>tracking.json</c> (absent in tracking files without identity refinement).</summary>
    private sealed record TrackedIdentityDocument(float[]? Shape, string? Offsets);

    private static async Task<FlameModelData> ReadModelAsync(Stream stream, string where, CancellationToken ct)
    {
        try
        {
            return await FlameModelFile.LoadAsync(stream, addTeeth: true, ct).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw new StageInputException("input-invalid", $"{where} is not a FLAME-format model: {e.Message}", e);
        }
    }

    /// <summary>A copy of <paramref name="model"/> whose template is moved by <paramref name="offsets"/> (V x 3).</summary>
    public static FlameModelData WithTemplateOffsets(FlameModelData model, float[] offsets)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = torch.NewDisposeScope();
        Tensor Keep(Tensor t) => t.clone().DetachFromDisposeScope();
        var delta = torch.tensor(offsets, [model.VertexCount, 3], model.VTemplate.dtype);
        return new FlameModelData
        {
            VTemplate = model.VTemplate.Plus(delta).DetachFromDisposeScope(),
            ShapeDirs = Keep(model.ShapeDirs),
            ExpressionDirs = Keep(model.ExpressionDirs),
            PoseDirs = Keep(model.PoseDirs),
            JRegressor = Keep(model.JRegressor),
            Weights = Keep(model.Weights),
            Parents = model.Parents.ToArray(),
            Faces = Keep(model.Faces),
            LandmarkFaces = Keep(model.LandmarkFaces),
            LandmarkBarycentrics = Keep(model.LandmarkBarycentrics),
            UvCoords = model.UvCoords is null ? null : Keep(model.UvCoords),
            UvFaces = model.UvFaces is null ? null : Keep(model.UvFaces),
            VertexMasks = model.VertexMasks.ToDictionary(kv => kv.Key, kv => Keep(kv.Value)),
            TeethVertexStart = model.TeethVertexStart,
            TeethFaceStart = model.TeethFaceStart,
            Name = model.Name,
        };
    }
}
