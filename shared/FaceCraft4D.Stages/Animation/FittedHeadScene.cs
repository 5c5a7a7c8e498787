using System.Buffers.Binary;
using FaceCraft4D.Animation.Rig;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Stages.ShapePrior;
using FaceCraft4D.Vision.Rendering;
using TorchSharp;

namespace FaceCraft4D.Stages.Animation;

/// <summary>
/// The shape prior's result as stages 5 and 6 need it: <c>flame.json</c>, the head model it names (the run's
/// <c>head-model.safetensors</c> for the built-in head, else the worker's FLAME, checked against flame.json), the static
/// offsets, the orbit cameras and the prior appearance (<c>texture.png</c>, or the <c>head.ply</c> vertex colours for a
/// model without texture coordinates), made into an <see cref="AnimatableHead"/>. Owns the head and the model.
/// </summary>
public sealed class FittedHeadScene : IDisposable
{
    private readonly FlameModelData model;

    private FittedHeadScene(FlameFitDocument fit, FlameModelData model, AnimatableHead head, IReadOnlyList<Camera> views, RgbImage? texture, float[]? vertexColours)
    {
        Fit = fit;
        this.model = model;
        Head = head;
        Views = views;
        Texture = texture;
        VertexColours = vertexColours;
    }

    /// <summary>flame.json.</summary>
    public FlameFitDocument Fit { get; }

    /// <summary>The animatable head (mouth cavity added).</summary>
    public AnimatableHead Head { get; }

    /// <summary>The orbit cameras (views.json), view 0 first.</summary>
    public IReadOnlyList<Camera> Views { get; }

    /// <summary>The shape prior's texture (null for a model without texture coordinates).</summary>
    public RgbImage? Texture { get; }

    /// <summary>head.ply's vertex colours [V0 * 3] when there is no texture.</summary>
    public float[]? VertexColours { get; }

    /// <summary>The neutral frame of flame.json.</summary>
    public static FlameFrame NeutralOf(FlameFitDocument fit) => new(
        fit.Expression.ToArray(), Three(fit.Jaw), Three(fit.Neck), fit.Eyes.Length == 6 ? fit.Eyes.ToArray() : new float[6], Three(fit.Translation));

    /// <summary>Reads the shape prior's outputs from the work item's inputs.</summary>
    public static async Task<FittedHeadScene> ReadAsync(StageJobContext context, HeadModelProvider headModels, string device,
        AnimationStageOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        var fit = await context.ReadRequiredJsonAsync<FlameFitDocument>(StageFiles.From(PipelineStage.ShapePrior, StageFiles.Flame)).ConfigureAwait(false);
        var ct = context.CancellationToken;
        FlameModelData data;
        if (fit.Model.File is { Length: > 0 } file)
        {
            var bytes = await context.ReadRequiredAsync(StageFiles.From(PipelineStage.ShapePrior, file)).ConfigureAwait(false);
            try
            {
                await using var stream = bytes.ToStream();
                data = await FlameModelFile.LoadAsync(stream, addTeeth: true, ct).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                throw new StageInputException("input-invalid", $"shape-prior/{file} is not a head model: {e.Message}", e);
            }
        }
        else
        {
            var worker = await headModels.GetAsync(ct).ConfigureAwait(false);
            if (worker.Data.VertexCount != fit.Model.VertexCount || worker.Data.Name != fit.Model.Name)
                throw new StageInputException("input-invalid",
                    $"flame.json was fitted with {fit.Model.Name} ({fit.Model.VertexCount} vertices, {fit.Model.Source}); this worker's head model is " +
                    $"{worker.Data.Name} ({worker.Data.VertexCount} vertices, {worker.Source}). Configure the same FLAME on every worker.");
            data = FlameModelFile.FromSafetensors(FlameModelFile.ToSafetensors(worker.Data), addTeeth: false);
        }
        try
        {
            if (data.VertexCount != fit.Model.VertexCount)
                throw new StageInputException("input-invalid", $"The head model has {data.VertexCount} vertices; flame.json says {fit.Model.VertexCount}.");
            var offsetsBytes = await context.ReadRequiredAsync(StageFiles.From(PipelineStage.ShapePrior, fit.VertexOffsets)).ConfigureAwait(false);
            var offsets = Floats(offsetsBytes, data.VertexCount * 3, fit.VertexOffsets);
            var viewsJson = await context.ReadRequiredAsync(StageFiles.From(PipelineStage.ShapePrior, StageFiles.Views)).ConfigureAwait(false);
            IReadOnlyList<Camera> views;
            try
            {
                views = CameraSet.FromJson(viewsJson.ToString()).Cameras;
            }
            catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException)
            {
                throw new StageInputException("input-invalid", $"shape-prior/{StageFiles.Views} is not a camera file: {e.Message}", e);
            }
            RgbImage? texture = null;
            float[]? vertexColours = null;
            if (fit.Texture is { Length: > 0 } textureFile && data.UvCoords is not null)
            {
                texture = StageImageCodec.ReadRgb(await context.ReadRequiredAsync(StageFiles.From(PipelineStage.ShapePrior, textureFile)).ConfigureAwait(false), textureFile);
            }
            else
            {
                var ply = await context.ReadRequiredAsync(StageFiles.From(PipelineStage.ShapePrior, fit.Mesh)).ConfigureAwait(false);
                vertexColours = PlyVertexColours.Read(ply.ToArray(), data.VertexCount);
            }
            var head = new AnimatableHead(data, fit.Model.Name, fit.Shape, NeutralOf(fit), offsets, torch.device(device), options.Mouth, options.Controls);
            return new FittedHeadScene(fit, data, head, views, texture, vertexColours);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    private static float[] Three(float[]? values) => values is { Length: 3 } ? values.ToArray() : new float[3];

    private static float[] Floats(BinaryData data, int count, string name)
    {
        var span = data.ToMemory().Span;
        if (span.Length != count * 4)
            throw new StageInputException("input-invalid", $"shape-prior/{name} has {span.Length} bytes; {count * 4} expected.");
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(span[(4 * i)..]);
        return values;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Head.Dispose();
        model.Dispose();
    }
}
