using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Flame;

/// <summary>
/// The arrays of a FLAME-format head model (CPU tensors, float32 / int64), as stored by <see cref="FlameModelFile"/>.
/// Shapes: V vertices, F faces, S shape and E expression components, J = 5 joints, P = 9 (J - 1) pose-corrective features.
/// Owns its tensors.
/// </summary>
public sealed class FlameModelData : IDisposable
{
    /// <summary>Number of FLAME joints.</summary>
    public const int JointCount = 5;

    /// <summary>Mean template vertices [V, 3] (metres; +y up, face toward +z).</summary>
    public required Tensor VTemplate { get; init; }

    /// <summary>Identity blendshapes [V, 3, S].</summary>
    public required Tensor ShapeDirs { get; init; }

    /// <summary>Expression blendshapes [V, 3, E] (E may be 0).</summary>
    public required Tensor ExpressionDirs { get; init; }

    /// <summary>Pose-corrective blendshapes [9 (J-1), V * 3] (smplx layout: rows are flattened (R - I) entries of joints 1..4).</summary>
    public required Tensor PoseDirs { get; init; }

    /// <summary>Joint regressor [J, V] (dense).</summary>
    public required Tensor JRegressor { get; init; }

    /// <summary>Skinning weights [V, J], rows sum to 1.</summary>
    public required Tensor Weights { get; init; }

    /// <summary>Parent joint of each joint (-1 for the root).</summary>
    public required long[] Parents { get; init; }

    /// <summary>Triangles [F, 3] (int64 vertex indices, counter-clockwise seen from outside).</summary>
    public required Tensor Faces { get; init; }

    /// <summary>Face index of each static landmark [L] (int64): the 68 iBUG landmarks, or FLAME's 51 static ones when the
    /// model also has the dynamic face contour (<see cref="DynamicLandmarkFaces"/>).</summary>
    public required Tensor LandmarkFaces { get; init; }

    /// <summary>Barycentric coordinates of each landmark in its face [L, 3].</summary>
    public required Tensor LandmarkBarycentrics { get; init; }

    /// <summary>Optional dynamic face contour (FLAME <c>dynamic_lmk_faces_idx</c>) [R, K] (int64): per head-yaw row
    /// (R = 79 for 0..39 degrees one way, 40..78 the other; K = 17 contour landmarks) the face of each contour landmark.</summary>
    public Tensor? DynamicLandmarkFaces { get; init; }

    /// <summary>Barycentric coordinates of the dynamic contour [R, K, 3] (FLAME <c>dynamic_lmk_bary_coords</c>).</summary>
    public Tensor? DynamicLandmarkBarycentrics { get; init; }

    /// <summary>Whether the model has the dynamic face contour (landmarks are then K contour + L static).</summary>
    public bool HasFaceContour => DynamicLandmarkFaces is not null;

    /// <summary>Optional texture coordinates [T, 2] (u right, v up, in [0, 1]) — FLAME's <c>vt</c>.</summary>
    public Tensor? UvCoords { get; init; }

    /// <summary>Optional per-face texture-coordinate indices [F, 3] (int64) — FLAME's <c>ft</c>.</summary>
    public Tensor? UvFaces { get; init; }

    /// <summary>Optional named vertex index sets (int64), e.g. "lip_ring_upper", "eyeballs", "skull".</summary>
    public IReadOnlyDictionary<string, Tensor> VertexMasks { get; init; } = new Dictionary<string, Tensor>();

    /// <summary>First vertex of the appended teeth (null when the model has no teeth).</summary>
    public int? TeethVertexStart { get; init; }

    /// <summary>First face of the appended teeth (null when the model has no teeth).</summary>
    public int? TeethFaceStart { get; init; }

    /// <summary>Free-form model name (e.g. "flame2023" or "procedural-head").</summary>
    public string Name { get; init; } = "flame";

    /// <summary>Number of vertices V.</summary>
    public int VertexCount => (int)VTemplate.shape[0];

    /// <summary>Number of faces F.</summary>
    public int FaceCount => (int)Faces.shape[0];

    /// <summary>Number of identity components S.</summary>
    public int ShapeCount => (int)ShapeDirs.shape[2];

    /// <summary>Number of expression components E.</summary>
    public int ExpressionCount => (int)ExpressionDirs.shape[2];

    /// <summary>Number of landmarks.</summary>
    public int LandmarkCount => (int)LandmarkFaces.shape[0];

    /// <summary>Checks shapes and index ranges; throws <see cref="InvalidDataException"/> describing the first problem.</summary>
    public void Validate()
    {
        using var scope = torch.NewDisposeScope();
        long v = VTemplate.shape[0];
        void Check(bool ok, string message) { if (!ok) throw new InvalidDataException("FLAME model: " + message); }
        Check(VTemplate.ndim == 2 && VTemplate.shape[1] == 3, "v_template must be [V,3]");
        Check(ShapeDirs.ndim == 3 && ShapeDirs.shape[0] == v && ShapeDirs.shape[1] == 3, "shapedirs must be [V,3,S]");
        Check(ExpressionDirs.ndim == 3 && ExpressionDirs.shape[0] == v && ExpressionDirs.shape[1] == 3, "expressiondirs must be [V,3,E]");
        Check(PoseDirs.ndim == 2 && PoseDirs.shape[0] == 9 * (JointCount - 1) && PoseDirs.shape[1] == v * 3, "posedirs must be [36, V*3]");
        Check(JRegressor.ndim == 2 && JRegressor.shape[0] == JointCount && JRegressor.shape[1] == v, "J_regressor must be [5,V]");
        Check(Weights.ndim == 2 && Weights.shape[0] == v && Weights.shape[1] == JointCount, "weights must be [V,5]");
        Check(Parents.Length == JointCount && Parents[0] < 0 && Parents.Skip(1).Select((p, i) => p >= 0 && p <= i).All(b => b), "kintree_table must list parents before children");
        Check(Faces.ndim == 2 && Faces.shape[1] == 3, "f must be [F,3]");
        Check(Faces.numel() == 0 || (Faces.min().item<long>() >= 0 && Faces.max().item<long>() < v), "face indices out of range");
        Check(LandmarkFaces.ndim == 1 && LandmarkBarycentrics.ndim == 2 && LandmarkBarycentrics.shape[0] == LandmarkFaces.shape[0] && LandmarkBarycentrics.shape[1] == 3, "landmark embedding must be lmk_faces_idx [L], lmk_b_coords [L,3]");
        Check(LandmarkFaces.numel() == 0 || (LandmarkFaces.min().item<long>() >= 0 && LandmarkFaces.max().item<long>() < Faces.shape[0]), "landmark face index out of range");
        Check((DynamicLandmarkFaces is null) == (DynamicLandmarkBarycentrics is null), "dynamic_lmk_faces_idx and dynamic_lmk_bary_coords come together");
        if (DynamicLandmarkFaces is not null && DynamicLandmarkBarycentrics is not null)
        {
            Check(DynamicLandmarkFaces.ndim == 2 && DynamicLandmarkBarycentrics.ndim == 3
                  && DynamicLandmarkBarycentrics.shape[0] == DynamicLandmarkFaces.shape[0] && DynamicLandmarkBarycentrics.shape[1] == DynamicLandmarkFaces.shape[1]
                  && DynamicLandmarkBarycentrics.shape[2] == 3, "dynamic contour must be dynamic_lmk_faces_idx [R,K], dynamic_lmk_bary_coords [R,K,3]");
            Check(DynamicLandmarkFaces.shape[0] == FlameFaceContour.TableRows, $"dynamic contour table must have {FlameFaceContour.TableRows} rows");
            Check(DynamicLandmarkFaces.numel() == 0 || (DynamicLandmarkFaces.min().item<long>() >= 0 && DynamicLandmarkFaces.max().item<long>() < Faces.shape[0]), "dynamic contour face index out of range");
        }
        if (UvFaces is not null) Check(UvCoords is not null && UvFaces.shape[0] == Faces.shape[0], "ft must match f");
    }

    /// <summary>Disposes all tensors.</summary>
    public void Dispose()
    {
        foreach (var t in new[] { VTemplate, ShapeDirs, ExpressionDirs, PoseDirs, JRegressor, Weights, Faces, LandmarkFaces, LandmarkBarycentrics, DynamicLandmarkFaces, DynamicLandmarkBarycentrics, UvCoords, UvFaces })
            t?.Dispose();
        foreach (var t in VertexMasks.Values) t.Dispose();
    }
}
