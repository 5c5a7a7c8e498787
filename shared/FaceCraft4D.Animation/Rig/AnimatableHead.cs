using FaceCraft4D.Animation.Mouth;
using FaceCraft4D.Animation.Rendering;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Vision.Rendering;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Animation.Rig;

/// <summary>
/// The shape prior's fitted head made animatable: the FLAME-format model with the mouth cavity appended
/// (<see cref="MouthInterior"/>), the fitted identity, the fitted neutral frame (expression, jaw), the static vertex
/// offsets (hair volume) applied in canonical space (<see cref="PosedHeadModel"/>), the control rig of the model and
/// the triangle/UV arrays the renderers need. Triangles are ordered head surface, teeth, cavity. Owns its tensors.
/// </summary>
public sealed class AnimatableHead : IDisposable
{
    /// <summary>Builds the head.</summary>
    /// <param name="model">The head model the shape prior fitted (not owned, not modified).</param>
    /// <param name="modelName">Its name (clip expression bases are compared with it).</param>
    /// <param name="shape">Fitted identity coefficients.</param>
    /// <param name="neutral">The fitted neutral frame (flame.json's expression, jaw, neck, eyes, translation).</param>
    /// <param name="vertexOffsets">Static offsets [V0 * 3] (the shape prior's vertex-offsets.f32), or null.</param>
    /// <param name="device">Where FLAME is evaluated.</param>
    /// <param name="mouth">Cavity settings.</param>
    /// <param name="controls">Control solver settings.</param>
    public AnimatableHead(FlameModelData model, string modelName, float[] shape, FlameFrame neutral, float[]? vertexOffsets, Device device,
        MouthInteriorOptions? mouth = null, ExpressionControlSolverOptions? controls = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Shape = shape ?? throw new ArgumentNullException(nameof(shape));
        Neutral = (neutral ?? throw new ArgumentNullException(nameof(neutral))).WithExpressionCount(model.ExpressionCount);
        if (vertexOffsets is not null && vertexOffsets.Length != model.VertexCount * 3)
            throw new ArgumentException($"Vertex offsets have {vertexOffsets.Length} values; the model needs {model.VertexCount * 3}.", nameof(vertexOffsets));
        (Model, Layout) = MouthInterior.Augment(model, mouth);
        Flame = new FlameModel(Model, device);
        Posed = new PosedHeadModel(Flame);
        Rig = new ControlRig(model, modelName, controls);
        BaseVertexCount = model.VertexCount;
        Offsets = vertexOffsets is null ? null : torch.tensor(vertexOffsets, [model.VertexCount, 3], Flame.DType, device).DetachFromDisposeScope();
        using (var f = Model.Faces.to(ScalarType.Int32).contiguous()) Faces = f.data<int>().ToArray();
        if (Model.UvCoords is not null && Model.UvFaces is not null)
        {
            using var uv = Model.UvCoords.to(ScalarType.Float32).contiguous();
            using var ft = Model.UvFaces.to(ScalarType.Int32).contiguous();
            Uv = uv.data<float>().ToArray();
            UvFaces = ft.data<int>().ToArray();
        }
        else
        {
            Uv = [0f, 0f];
            UvFaces = new int[Faces.Length];
        }
    }

    /// <summary>The augmented model (head, teeth, cavity).</summary>
    public FlameModelData Model { get; }

    /// <summary>Materials and depth fractions of the augmented model.</summary>
    public MouthInteriorLayout Layout { get; }

    /// <summary>FLAME on the device.</summary>
    public FlameModel Flame { get; }

    /// <summary>FLAME with canonical static offsets.</summary>
    public PosedHeadModel Posed { get; }

    /// <summary>Clip frames to FLAME parameters for this model.</summary>
    public ControlRig Rig { get; }

    /// <summary>Fitted identity.</summary>
    public float[] Shape { get; }

    /// <summary>Fitted neutral frame (E = the model's expression count).</summary>
    public FlameFrame Neutral { get; }

    /// <summary>Static offsets [V0, 3] or null.</summary>
    public Tensor? Offsets { get; }

    /// <summary>Vertices of the model before augmentation (V0).</summary>
    public int BaseVertexCount { get; }

    /// <summary>Triangles of all parts [F' * 3].</summary>
    public int[] Faces { get; }

    /// <summary>Texture coordinates [T * 2] (one dummy pair when the model has none).</summary>
    public float[] Uv { get; }

    /// <summary>Texture-coordinate triangles [F' * 3].</summary>
    public int[] UvFaces { get; }

    /// <summary>Whether the model has texture coordinates.</summary>
    public bool HasUv => Model.UvCoords is not null && Model.UvFaces is not null;

    /// <summary>Posed meshes of the whole head (all parts) for every frame, evaluated in batches.</summary>
    public IReadOnlyList<TriangleMesh> Meshes(IReadOnlyList<FlameFrame> frames, int batchSize = 16, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var meshes = new List<TriangleMesh>(frames.Count);
        for (int start = 0; start < frames.Count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var batch = frames.Skip(start).Take(batchSize).ToArray();
            var (vertices, _) = Posed.Forward(Posed.Parameters(Shape, batch), Offsets);
            var all = vertices.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
            int stride = Model.VertexCount * 3;
            for (int b = 0; b < batch.Length; b++)
                meshes.Add(new TriangleMesh(all.AsSpan(b * stride, stride).ToArray(), Faces));
        }
        return meshes;
    }

    /// <summary>The neutral posed mesh.</summary>
    public TriangleMesh NeutralMesh() => Meshes([Neutral])[0];

    /// <summary>The head-surface triangles of a posed mesh (no teeth, no cavity).</summary>
    public TriangleMesh Surface(TriangleMesh mesh) => mesh.WithFirstTriangles(Layout.HeadFaceCount);

    /// <summary>Texture-coordinate triangles of the head surface.</summary>
    public int[] SurfaceUvFaces() => UvFaces[..(3 * Layout.HeadFaceCount)];

    /// <summary>The appearance with a texture (or per-vertex colours of the V0 base vertices for models without UVs).</summary>
    public HeadAppearance Appearance(RgbImage? texture, float[]? vertexColours = null, MouthPalette? palette = null)
    {
        float[]? colours = null;
        if (vertexColours is not null)
        {
            colours = new float[Model.VertexCount * 3];
            Array.Copy(vertexColours, colours, Math.Min(vertexColours.Length, colours.Length));
        }
        return new HeadAppearance(texture, Uv, UvFaces, Faces, Layout, palette, colours);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Posed.Dispose();
        Flame.Dispose();
        Offsets?.Dispose();
        Model.Dispose();
    }
}
