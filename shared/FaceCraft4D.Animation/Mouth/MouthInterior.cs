using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Animation.Mouth;

/// <summary>
/// The inner mouth of the animated head (the source portrait has its mouth closed, so nothing observed covers it).
/// Method: a cavity mesh is attached to the mouth boundary loop (<see cref="MouthBoundary"/>) and appended to the
/// FLAME-format model, so it is skinned and posed with the head: K rings behind the lips, each a copy of the loop
/// pushed back by <see cref="MouthInteriorOptions.RingDepths"/> x Depth, widened or narrowed by RingWidths and opened
/// upward (upper-lip vertices) or downward (lower-lip, jaw-skinned vertices) by RingHeights x HalfHeight, closed by a
/// back cap. Ring vertices copy their loop vertex's skinning weights (upper side follows the skull, lower side the jaw)
/// and identity blendshapes; expression blendshapes fade with depth (x (1 - depth)); no pose correctives; no influence
/// on the joints. The model's own teeth (FLAME 2023 teeth, <see cref="FlameTeeth"/>) sit inside the cavity. With the
/// mouth closed everything is behind the lips and hidden by the z-buffer; as the jaw opens the cavity, teeth and
/// tongue appear, coloured procedurally (<see cref="MouthMaterial"/>).
/// </summary>
public static class MouthInterior
{
    /// <summary>The model with the cavity appended (a new instance; the input is not modified) and its layout.</summary>
    public static (FlameModelData Model, MouthInteriorLayout Layout) Augment(FlameModelData model, MouthInteriorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = options ?? new MouthInteriorOptions();
        int v0 = model.VertexCount, f0 = model.FaceCount;
        int headFaces = model.TeethFaceStart ?? f0;
        var loop = o.Enabled ? MouthBoundary.Find(model) : null;
        if (loop is null)
        {
            var plain = Clone(model);
            return (plain, new MouthInteriorLayout(Materials(f0, headFaces, [], f0), TeethDepth(model, v0), headFaces, v0, f0, []));
        }
        int rings = o.RingDepths.Length;
        if (rings < 1 || o.RingHeights.Length != rings || o.RingWidths.Length != rings)
            throw new ArgumentException("RingDepths, RingHeights and RingWidths need the same (non-zero) length.", nameof(options));

        using var scope = torch.NewDisposeScope();
        var template = model.VTemplate.to(ScalarType.Float32).contiguous().data<float>().ToArray();
        var weights = model.Weights.to(ScalarType.Float32).contiguous().data<float>().ToArray();
        int k = loop.Length;
        double cx = loop.Average(v => template[3 * v]), cy = loop.Average(v => template[3 * v + 1]), cz = loop.Average(v => template[3 * v + 2]);
        double width = loop.Max(v => template[3 * v]) - loop.Min(v => template[3 * v]);
        double depth = o.Depth * width, half = o.HalfHeight * width;
        // Side of each loop vertex: -1 upper lip (skull), +1 lower lip (jaw), from its jaw skinning weight.
        var side = loop.Select(v => Math.Clamp(2 * weights[5 * v + (int)FlameJoint.Jaw] - 1, -1f, 1f)).ToArray();

        int added = rings * k + 1;
        var positions = new float[added * 3];
        var depthFraction = new float[added];
        for (int r = 0; r < rings; r++)
        {
            double t = o.RingDepths[r];
            for (int i = 0; i < k; i++)
            {
                int v = loop[i], row = r * k + i;
                double qx = template[3 * v], qy = template[3 * v + 1], qz = template[3 * v + 2];
                double open = -Math.Sign(side[i]) * Math.Sqrt(Math.Abs(side[i])) * half * o.RingHeights[r];
                positions[3 * row] = (float)(cx + (qx - cx) * o.RingWidths[r]);
                positions[3 * row + 1] = (float)(qy + open);
                positions[3 * row + 2] = (float)(qz - depth * t);
                depthFraction[row] = (float)t;
            }
        }
        positions[3 * (added - 1)] = (float)cx;
        positions[3 * (added - 1) + 1] = (float)cy;
        positions[3 * (added - 1) + 2] = (float)(cz - depth * 1.05);
        depthFraction[added - 1] = 1f;

        // Triangles: lips -> ring 0 -> ... -> ring K-1 -> cap.
        var tris = new List<int>();
        var materials = new List<MouthMaterial>();
        int Vid(int ring, int i) => ring < 0 ? loop[i] : v0 + ring * k + i;
        for (int r = -1; r < rings - 1; r++)
            for (int i = 0; i < k; i++)
            {
                int j = (i + 1) % k;
                int a = Vid(r, i), b = Vid(r, j), c = Vid(r + 1, j), d = Vid(r + 1, i);
                tris.AddRange([a, b, c, a, c, d]);
                var m = Material(side[i], side[j], r + 1, o.TongueSide);
                materials.Add(m);
                materials.Add(m);
            }
        int cap = v0 + added - 1;
        for (int i = 0; i < k; i++)
        {
            tris.AddRange([Vid(rings - 1, i), Vid(rings - 1, (i + 1) % k), cap]);
            materials.Add(MouthMaterial.Wall);
        }

        var loopIds = torch.tensor(loop.Select(v => (long)v).ToArray(), ScalarType.Int64);
        var ringOf = Enumerable.Range(0, rings * k).Select(row => (long)loop[row % k]).ToArray();
        var ringIndex = torch.tensor(ringOf, ScalarType.Int64);
        var fade = torch.tensor(Enumerable.Range(0, rings * k).Select(row => (float)(1 - o.RingDepths[row / k])).ToArray()).view(-1, 1, 1);
        var shapeRing = model.ShapeDirs.index_select(0, ringIndex);
        var shapeCap = model.ShapeDirs.index_select(0, loopIds).mean([0], keepdim: true);
        var exprRing = model.ExpressionDirs.index_select(0, ringIndex) * fade;
        var exprCap = torch.zeros(1, 3, model.ExpressionCount);
        var weightRing = model.Weights.index_select(0, ringIndex);
        var weightCap = model.Weights.index_select(0, loopIds).mean([0], keepdim: true);
        long p = model.PoseDirs.shape[0];

        Tensor? uv = null, uvFaces = null;
        if (model.UvCoords is not null && model.UvFaces is not null)
        {
            long dummy = model.UvCoords.shape[0];
            uv = torch.cat([model.UvCoords, torch.zeros(1, 2, model.UvCoords.dtype)]);
            uvFaces = torch.cat([model.UvFaces.to(ScalarType.Int64), HeldScalarOps.Hold(dummy.ToScalar(), held => torch.full(tris.Count / 3, 3, held, ScalarType.Int64))]);
        }
        var result = new FlameModelData
        {
            VTemplate = torch.cat([model.VTemplate, torch.tensor(positions, [added, 3], model.VTemplate.dtype)]),
            ShapeDirs = torch.cat([model.ShapeDirs, shapeRing, shapeCap]),
            ExpressionDirs = torch.cat([model.ExpressionDirs, exprRing, exprCap]),
            PoseDirs = torch.cat([model.PoseDirs.view(p, v0, 3), torch.zeros(p, added, 3, model.PoseDirs.dtype)], 1).reshape(p, (v0 + added) * 3),
            JRegressor = torch.cat([model.JRegressor, torch.zeros(FlameModelData.JointCount, added, model.JRegressor.dtype)], 1),
            Weights = torch.cat([model.Weights, weightRing, weightCap]),
            Parents = model.Parents.ToArray(),
            Faces = torch.cat([model.Faces.to(ScalarType.Int64), torch.tensor(tris.Select(i => (long)i).ToArray(), [tris.Count / 3, 3], ScalarType.Int64)]),
            LandmarkFaces = model.LandmarkFaces.clone(),
            LandmarkBarycentrics = model.LandmarkBarycentrics.clone(),
            UvCoords = uv,
            UvFaces = uvFaces,
            VertexMasks = model.VertexMasks.ToDictionary(kv => kv.Key, kv => kv.Value.clone()),
            TeethVertexStart = model.TeethVertexStart,
            TeethFaceStart = model.TeethFaceStart,
            Name = model.Name,
        };
        result.Validate();
        foreach (var t in new[] { result.VTemplate, result.ShapeDirs, result.ExpressionDirs, result.PoseDirs, result.JRegressor, result.Weights, result.Faces, result.LandmarkFaces, result.LandmarkBarycentrics, result.UvCoords, result.UvFaces })
            t?.MoveToOuterDisposeScope();
        foreach (var t in result.VertexMasks.Values) t.MoveToOuterDisposeScope();

        var allMaterials = Materials(f0, headFaces, materials, f0 + materials.Count);
        var vertexDepth = TeethDepth(model, v0 + added);
        Array.Copy(depthFraction, 0, vertexDepth, v0, added);
        return (result, new MouthInteriorLayout(allMaterials, vertexDepth, headFaces, v0, f0, loop));
    }

    private static MouthMaterial Material(float sideA, float sideB, int ring, double tongueSide) =>
        ring >= 1 && (sideA + sideB) / 2 > tongueSide ? MouthMaterial.Tongue : MouthMaterial.Wall;

    private static MouthMaterial[] Materials(int modelFaces, int headFaces, List<MouthMaterial> cavity, int total)
    {
        var m = new MouthMaterial[total];
        for (int f = headFaces; f < modelFaces; f++) m[f] = MouthMaterial.Teeth;
        for (int i = 0; i < cavity.Count; i++) m[modelFaces + i] = cavity[i];
        return m;
    }

    /// <summary>Depth fractions: 0 everywhere except the back rows of the teeth (0.5).</summary>
    private static float[] TeethDepth(FlameModelData model, int total)
    {
        var d = new float[total];
        if (model.TeethVertexStart is int start && model.VertexMasks.TryGetValue("teeth_upper", out var upper))
        {
            int k = (int)upper.shape[0] / 4;
            // FlameTeeth rows: 0 upper root, 1 upper edge, 2-3 their back copies, 4 lower root, 5 lower edge, 6-7 back copies.
            for (int row = 0; row < 8; row++)
                if (row is 2 or 3 or 6 or 7)
                    for (int i = 0; i < k; i++)
                        if (start + row * k + i < total) d[start + row * k + i] = 0.5f;
        }
        return d;
    }

    private static FlameModelData Clone(FlameModelData m) => new()
    {
        VTemplate = m.VTemplate.clone(), ShapeDirs = m.ShapeDirs.clone(), ExpressionDirs = m.ExpressionDirs.clone(), PoseDirs = m.PoseDirs.clone(),
        JRegressor = m.JRegressor.clone(), Weights = m.Weights.clone(), Parents = m.Parents.ToArray(), Faces = m.Faces.clone(),
        LandmarkFaces = m.LandmarkFaces.clone(), LandmarkBarycentrics = m.LandmarkBarycentrics.clone(), UvCoords = m.UvCoords?.clone(),
        UvFaces = m.UvFaces?.clone(), VertexMasks = m.VertexMasks.ToDictionary(kv => kv.Key, kv => kv.Value.clone()),
        TeethVertexStart = m.TeethVertexStart, TeethFaceStart = m.TeethFaceStart, Name = m.Name,
    };
}
