using System.Globalization;
using FaceCraft4D.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Flame;

/// <summary>
/// Reads and writes FLAME-format models as safetensors. Keys (see shared/FaceCraft4D.Graphics/README.md for the
/// converter recipe from the official FLAME files):
/// <list type="bullet">
/// <item><c>v_template</c> [V,3]; <c>shapedirs</c> [V,3,S] or, 2020/2023 layout, [V,3,S+E] with shape and expression
/// together (split by metadata <c>num_shape_params</c>, default 300 when there are 400 components and no
/// <c>expressiondirs</c>); optional <c>expressiondirs</c> [V,3,E];</item>
/// <item><c>posedirs</c> [36, V*3] (smplx layout) or [V,3,36] (as in the official pkl);</item>
/// <item><c>J_regressor</c> [5,V] dense; <c>weights</c> [V,5]; <c>kintree_table</c> [2,5] (first row parents, root any negative
/// or 4294967295); <c>f</c> [F,3] integer;</item>
/// <item><c>lmk_faces_idx</c> [L] (or [1,L]) and <c>lmk_b_coords</c> [L,3] (or [1,L,3]; FLAME_PyTorch's buffer name
/// <c>lmk_bary_coords</c> is accepted too): the 68 iBUG landmarks, or FLAME's static 51 with the contour below;</item>
/// <item>optional dynamic face contour <c>dynamic_lmk_faces_idx</c> [79,17] and <c>dynamic_lmk_bary_coords</c> [79,17,3]
/// (<c>flame_dynamic_embedding.npy</c>'s <c>lmk_face_idx</c> / <c>lmk_b_coords</c>);</item>
/// <item>optional <c>vt</c> [T,2], <c>ft</c> [F,3]; optional <c>mask_NAME</c> int vertex lists; optional
/// <c>teeth_lip_ring_upper</c>/<c>teeth_lip_ring_lower</c> (ordered lip-ring vertex ids used to add teeth on load);</item>
/// <item>metadata: <c>format</c> = "fc4d-flame/1", <c>name</c>, <c>num_shape_params</c>, <c>teeth_vertex_start</c>, <c>teeth_face_start</c>.</item>
/// </list>
/// Any float or integer dtype is accepted on read (integer arrays may be F32 holding exact integers); writing uses F32
/// and I64. Reading is strict: a tensor the layout does not name is an error, so a misnamed array never goes unused.
/// </summary>
public static class FlameModelFile
{
    /// <summary>Format tag written to the metadata.</summary>
    public const string FormatTag = "fc4d-flame/1";

    private const string MaskPrefix = "mask_";

    private static readonly string[] KnownNames =
    {
        "v_template", "shapedirs", "expressiondirs", "posedirs", "J_regressor", "weights", "kintree_table", "f",
        "lmk_faces_idx", "lmk_b_coords", "lmk_bary_coords", "dynamic_lmk_faces_idx", "dynamic_lmk_bary_coords",
        "vt", "ft", "teeth_lip_ring_upper", "teeth_lip_ring_lower",
    };

    /// <summary>Loads a model; when <paramref name="addTeeth"/> is true and the file has lip rings but no teeth, appends them.</summary>
    public static async Task<FlameModelData> LoadAsync(Stream stream, bool addTeeth = true, CancellationToken cancellationToken = default)
    {
        var file = await InMemorySafeTensors.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        return FromSafetensors(file, addTeeth);
    }

    /// <summary>Loads a model from a path.</summary>
    public static async Task<FlameModelData> LoadAsync(string path, bool addTeeth = true, CancellationToken cancellationToken = default)
    {
        await using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return await LoadAsync(fs, addTeeth, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a model.</summary>
    public static Task SaveAsync(FlameModelData model, Stream stream, CancellationToken cancellationToken = default)
        => ToSafetensors(model).WriteAsync(stream, cancellationToken);

    /// <summary>Builds the safetensors representation.</summary>
    public static InMemorySafeTensors ToSafetensors(FlameModelData m)
    {
        using var scope = torch.NewDisposeScope();
        var f = new InMemorySafeTensors();
        f.Metadata["format"] = FormatTag;
        f.Metadata["name"] = m.Name;
        f.Metadata["num_shape_params"] = m.ShapeCount.ToString(CultureInfo.InvariantCulture);
        if (m.TeethVertexStart is { } tv) f.Metadata["teeth_vertex_start"] = tv.ToString(CultureInfo.InvariantCulture);
        if (m.TeethFaceStart is { } tf) f.Metadata["teeth_face_start"] = tf.ToString(CultureInfo.InvariantCulture);
        var f32 = ScalarType.Float32;
        f.Add("v_template", m.VTemplate.to_type(f32));
        f.Add("shapedirs", m.ShapeDirs.to_type(f32));
        f.Add("expressiondirs", m.ExpressionDirs.to_type(f32));
        f.Add("posedirs", m.PoseDirs.to_type(f32));
        f.Add("J_regressor", m.JRegressor.to_type(f32));
        f.Add("weights", m.Weights.to_type(f32));
        var parents = m.Parents.Select(p => p < 0 ? -1L : p).ToArray();
        f.Add("kintree_table", torch.tensor(parents.Concat(Enumerable.Range(0, parents.Length).Select(i => (long)i)).ToArray(), new long[] { 2, parents.Length }, ScalarType.Int64));
        f.Add("f", m.Faces.to_type(ScalarType.Int64));
        f.Add("lmk_faces_idx", m.LandmarkFaces.to_type(ScalarType.Int64));
        f.Add("lmk_b_coords", m.LandmarkBarycentrics.to_type(f32));
        if (m.DynamicLandmarkFaces is not null) f.Add("dynamic_lmk_faces_idx", m.DynamicLandmarkFaces.to_type(ScalarType.Int64));
        if (m.DynamicLandmarkBarycentrics is not null) f.Add("dynamic_lmk_bary_coords", m.DynamicLandmarkBarycentrics.to_type(f32));
        if (m.UvCoords is not null) f.Add("vt", m.UvCoords.to_type(f32));
        if (m.UvFaces is not null) f.Add("ft", m.UvFaces.to_type(ScalarType.Int64));
        foreach (var (name, idx) in m.VertexMasks) f.Add(MaskPrefix + name, idx.to_type(ScalarType.Int64));
        return f;
    }

    /// <summary>Interprets a safetensors file in the layout above.</summary>
    public static FlameModelData FromSafetensors(InMemorySafeTensors file, bool addTeeth = true)
    {
        string[] required = { "v_template", "shapedirs", "posedirs", "J_regressor", "weights", "kintree_table", "f", "lmk_faces_idx" };
        var missing = required.Where(k => !file.Contains(k)).ToList();
        bool bOld = file.Contains("lmk_b_coords"), bUpstream = file.Contains("lmk_bary_coords");
        if (!bOld && !bUpstream) missing.Add("lmk_b_coords (or lmk_bary_coords)");
        if (file.Contains("dynamic_lmk_faces_idx") != file.Contains("dynamic_lmk_bary_coords")) missing.Add("dynamic_lmk_faces_idx and dynamic_lmk_bary_coords together");
        if (missing.Count > 0) throw new InvalidDataException($"FLAME file lacks {string.Join(", ", missing)}.");
        if (bOld && bUpstream) throw new InvalidDataException("FLAME file has both lmk_b_coords and lmk_bary_coords; keep one.");
        var unknown = file.Names.Where(n => !KnownNames.Contains(n, StringComparer.Ordinal) && !n.StartsWith(MaskPrefix, StringComparison.Ordinal)).ToList();
        if (unknown.Count > 0) throw new InvalidDataException($"FLAME file has tensors the layout does not name: {string.Join(", ", unknown)}.");
        var f32 = ScalarType.Float32;
        var vTemplate = file.GetTorch("v_template", dtype: f32);
        long v = vTemplate.shape[0];
        var shapedirs = file.GetTorch("shapedirs", dtype: f32);
        Tensor expr;
        if (file.Contains("expressiondirs"))
        {
            expr = file.GetTorch("expressiondirs", dtype: f32);
        }
        else
        {
            long total = shapedirs.shape[2];
            long numShape = file.Metadata.TryGetValue("num_shape_params", out var ns) ? long.Parse(ns, CultureInfo.InvariantCulture)
                : total == 400 ? 300 : total;
            if (numShape > total) throw new InvalidDataException($"num_shape_params {numShape} exceeds the {total} shapedirs components.");
            expr = shapedirs.narrow(2, numShape, total - numShape).contiguous();
            var s = shapedirs.narrow(2, 0, numShape).contiguous();
            shapedirs.Dispose();
            shapedirs = s;
        }

        var posedirs = file.GetTorch("posedirs", dtype: f32);
        if (posedirs.ndim == 3)
        {
            // Official pkl layout [V, 3, P] -> smplx layout [P, V*3].
            var p = posedirs.reshape(v * 3, posedirs.shape[2]).t().contiguous();
            posedirs.Dispose();
            posedirs = p;
        }

        var kintree = file.GetTorch("kintree_table", dtype: ScalarType.Int64);
        var parentsRaw = kintree.select(0, 0).data<long>().ToArray();
        kintree.Dispose();
        var parents = parentsRaw.Select((p, i) => i == 0 || p < 0 || p >= parentsRaw.Length ? -1L : p).ToArray();

        var lmkFaces = Reshaped(file.GetTorch("lmk_faces_idx", dtype: ScalarType.Int64), -1);
        var lmkBary = Reshaped(file.GetTorch(bOld ? "lmk_b_coords" : "lmk_bary_coords", dtype: f32), -1, 3);
        Tensor? dynFaces = null, dynBary = null;
        if (file.Contains("dynamic_lmk_faces_idx"))
        {
            dynFaces = file.GetTorch("dynamic_lmk_faces_idx", dtype: ScalarType.Int64);
            dynBary = file.GetTorch("dynamic_lmk_bary_coords", dtype: f32);
        }

        var masks = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var name in file.Names.Where(n => n.StartsWith(MaskPrefix, StringComparison.Ordinal)))
            masks[name[MaskPrefix.Length..]] = Reshaped(file.GetTorch(name, dtype: ScalarType.Int64), -1);

        int? Meta(string key) => file.Metadata.TryGetValue(key, out var s) ? int.Parse(s, CultureInfo.InvariantCulture) : null;

        var data = new FlameModelData
        {
            VTemplate = vTemplate,
            ShapeDirs = shapedirs,
            ExpressionDirs = expr,
            PoseDirs = posedirs,
            JRegressor = file.GetTorch("J_regressor", dtype: f32),
            Weights = file.GetTorch("weights", dtype: f32),
            Parents = parents,
            Faces = file.GetTorch("f", dtype: ScalarType.Int64),
            LandmarkFaces = lmkFaces,
            LandmarkBarycentrics = lmkBary,
            DynamicLandmarkFaces = dynFaces,
            DynamicLandmarkBarycentrics = dynBary,
            UvCoords = file.Contains("vt") ? file.GetTorch("vt", dtype: f32) : null,
            UvFaces = file.Contains("ft") ? file.GetTorch("ft", dtype: ScalarType.Int64) : null,
            VertexMasks = masks,
            TeethVertexStart = Meta("teeth_vertex_start"),
            TeethFaceStart = Meta("teeth_face_start"),
            Name = file.Metadata.TryGetValue("name", out var nm) ? nm : "flame",
        };
        data.Validate();

        if (addTeeth && data.TeethVertexStart is null && file.Contains("teeth_lip_ring_upper") && file.Contains("teeth_lip_ring_lower"))
        {
            long[] Values(string name)
            {
                using var t = file.GetTorch(name, dtype: ScalarType.Int64);
                return t.data<long>().ToArray();
            }
            var upper = Values("teeth_lip_ring_upper");
            var lower = Values("teeth_lip_ring_lower");
            var withTeeth = FlameTeeth.Add(data, upper, lower);
            data.Dispose();
            return withTeeth;
        }
        return data;
    }

    /// <summary>A reshaped view of <paramref name="t"/>; <paramref name="t"/> is held through the call and disposed (not left to the finalizer).</summary>
    private static Tensor Reshaped(Tensor t, params long[] shape)
    {
        using (t) return t.reshape(shape);
    }
}
