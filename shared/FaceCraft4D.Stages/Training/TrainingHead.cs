using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Stages.ShapePrior;
using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Stages.Training;

/// <summary>
/// The run's head for training and export: the shape prior's FLAME-format model with the shape prior's vertex offsets (hair
/// volume; zero on the face) added to its template, so Gaussians bound to its triangles sit on the rendered head; the fit
/// (<c>flame.json</c>) and the head mesh's vertex colours (initial Gaussian colours). Owns <see cref="Data"/>.
/// </summary>
/// <remarks>
/// The offsets were measured on FLAME(shape, expression, jaw) of the fit; adding them to the template before blendshapes and
/// skinning moves them with the skull (they live on the hair, skinned to the head) and leaves the face untouched.
/// </remarks>
public sealed class TrainingHead(FlameModelData data, FlameFitDocument fit, string source, float[]? vertexColours) : IDisposable
{
    /// <summary>The personalised model (template + offsets).</summary>
    public FlameModelData Data { get; } = data;

    /// <summary>The shape prior's fit.</summary>
    public FlameFitDocument Fit { get; } = fit;

    /// <summary>Where the model came from (<c>shape-prior/head-model.safetensors</c> or the models-store path).</summary>
    public string Source { get; } = source;

    /// <summary>Vertex colours of <c>head.ply</c> (V x 3 in [0, 1]), null when unavailable.</summary>
    public float[]? VertexColours { get; } = vertexColours;

    /// <summary>The identity [1, S'] on the model's device.</summary>
    public Tensor Shape(FlameModel flame) => torch.tensor(Fit.Shape, [1, Fit.Shape.Length], flame.DType, flame.Device);

    /// <summary>The frame of the static views (the portrait's fitted expression and jaw).</summary>
    public FlameFrame StaticFrame => new(Fit.Expression, Fit.Jaw, Fit.Neck, Fit.Eyes, Fit.GlobalRotation, Fit.Translation);

    /// <summary>Per-triangle mean of the vertex colours [F, 3] on the model's device, or null.</summary>
    public Tensor? TriangleColours(FlameModel flame)
    {
        if (VertexColours is null) return null;
        using var scope = torch.NewDisposeScope();
        var v = torch.tensor(VertexColours, [VertexColours.Length / 3, 3], flame.DType, flame.Device);
        var faces = flame.Faces;
        var mean = v.index_select(0, faces.select(1, 0)).Plus(v.index_select(0, faces.select(1, 1))).Plus(v.index_select(0, faces.select(1, 2))).DividedBy(3.0);
        return mean.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose() => Data.Dispose();
}
