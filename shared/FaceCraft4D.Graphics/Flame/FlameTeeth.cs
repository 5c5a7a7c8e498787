using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Flame;

/// <summary>
/// Appends a rigid set of teeth to a FLAME-format model, in the manner of GaussianAvatars for FLAME 2023: eight rows of
/// K vertices behind the lips (upper: root, edge, and their copies further back; lower likewise) built from the ordered
/// outer lip rings (K vertices each, 15 in FLAME 2023), and 12 (K - 1) triangles (168 for K = 15): a front, back and biting
/// strip for the upper and the lower teeth. Upper teeth are skinned 100 % to the neck joint, lower teeth 100 % to the jaw;
/// their identity blendshapes are the mean of the lip rings', expression and pose correctives are zero and they do not
/// influence the joint regressor. Texture coordinates (if any) get a small strip at u in [0, 0.25], v in [0, 0.04].
/// </summary>
public static class FlameTeeth
{
    /// <summary>Faces added for a lip ring of <paramref name="ringLength"/> vertices.</summary>
    public static int FaceCountFor(int ringLength) => 12 * (ringLength - 1);

    /// <summary>Returns a new model with teeth appended (the input is not modified).</summary>
    /// <param name="model">The model without teeth.</param>
    /// <param name="upperLipRing">Outer upper-lip vertex ids, ordered from one mouth corner to the other.</param>
    /// <param name="lowerLipRing">Outer lower-lip vertex ids in the same order.</param>
    public static FlameModelData Add(FlameModelData model, IReadOnlyList<long> upperLipRing, IReadOnlyList<long> lowerLipRing)
    {
        int k = upperLipRing.Count;
        if (k < 2 || lowerLipRing.Count != k) throw new ArgumentException("Lip rings need the same length (at least 2).");
        if (model.TeethVertexStart is not null) throw new InvalidOperationException("The model already has teeth.");
        using var scope = torch.NewDisposeScope();
        int v = model.VertexCount;
        var tmpl = model.VTemplate.contiguous().data<float>().ToArray();
        (double X, double Y, double Z) P(long i) => (tmpl[3 * i], tmpl[3 * i + 1], tmpl[3 * i + 2]);

        double meanDist = 0, meanY = 0;
        var mid = new (double X, double Y, double Z)[k];
        for (int i = 0; i < k; i++)
        {
            var u = P(upperLipRing[i]); var l = P(lowerLipRing[i]);
            meanDist += Math.Sqrt((u.X - l.X) * (u.X - l.X) + (u.Y - l.Y) * (u.Y - l.Y) + (u.Z - l.Z) * (u.Z - l.Z)) / k;
            mid[i] = ((u.X + l.X) / 2, (u.Y + l.Y) / 2, (u.Z + l.Z) / 2);
            meanY += mid[i].Y / k;
        }
        var first = P(upperLipRing[0]); var last = P(upperLipRing[k - 1]);
        double width = Math.Abs(last.X - first.X);
        double d = Math.Max(meanDist, 0.06 * width); // a closed mouth still gets teeth of sensible height
        bool increasingX = last.X >= first.X;

        // Rows: 0 upper root, 1 upper edge, 2 upper root back, 3 upper edge back, 4 lower root, 5 lower edge, 6 lower root back, 7 lower edge back.
        var rows = new (double X, double Y, double Z)[8, k];
        for (int i = 0; i < k; i++)
        {
            var m = (mid[i].X, meanY, mid[i].Z - 1.5 * d);
            var ue = (m.X, m.Item2 + 0.1 * d, m.Item3);
            var ur = (m.X, ue.Item2 + 2 * d, m.Item3);
            var le = (m.X, m.Item2 - 0.1 * d, m.Item3 - 0.4 * d);
            var lr = (m.X, le.Item2 - 2 * d, le.Item3);
            rows[0, i] = ur; rows[1, i] = ue; rows[4, i] = lr; rows[5, i] = le;
            rows[2, i] = (ur.X, ur.Item2, ur.Item3 - d); rows[3, i] = (ue.X, ue.Item2, ue.Item3 - d);
            rows[6, i] = (lr.X, lr.Item2, lr.Item3 - d); rows[7, i] = (le.X, le.Item2, le.Item3 - d);
        }
        int added = 8 * k;
        var newVerts = new float[added * 3];
        for (int r = 0; r < 8; r++)
            for (int i = 0; i < k; i++)
            {
                int idx = (r * k + i) * 3;
                newVerts[idx] = (float)rows[r, i].X; newVerts[idx + 1] = (float)rows[r, i].Y; newVerts[idx + 2] = (float)rows[r, i].Z;
            }
        int Vid(int row, int i) => v + row * k + i;

        var faces = new List<long>();
        void Quad(int a0, int a1, int b1, int b0, bool flip)
        {
            // Two triangles (a0, a1, b1) and (a0, b1, b0); flipped when asked or when the ring runs toward -x.
            bool f = flip ^ !increasingX;
            if (!f) faces.AddRange(new long[] { a0, a1, b1, a0, b1, b0 });
            else faces.AddRange(new long[] { a0, b1, a1, a0, b0, b1 });
        }
        for (int i = 0; i < k - 1; i++)
        {
            // Upper: front faces +z (edge below root), back faces -z, biting edge faces -y.
            Quad(Vid(1, i), Vid(1, i + 1), Vid(0, i + 1), Vid(0, i), false);
            Quad(Vid(3, i), Vid(3, i + 1), Vid(2, i + 1), Vid(2, i), true);
            Quad(Vid(1, i), Vid(1, i + 1), Vid(3, i + 1), Vid(3, i), true);
            // Lower: front faces +z (root below edge), back faces -z, biting edge faces +y.
            Quad(Vid(4, i), Vid(4, i + 1), Vid(5, i + 1), Vid(5, i), false);
            Quad(Vid(6, i), Vid(6, i + 1), Vid(7, i + 1), Vid(7, i), true);
            Quad(Vid(5, i), Vid(5, i + 1), Vid(7, i + 1), Vid(7, i), false);
        }

        // Identity blendshapes: mean of the two lip rings; expression zero.
        var ringU = torch.tensor(upperLipRing.ToArray(), ScalarType.Int64);
        var ringL = torch.tensor(lowerLipRing.ToArray(), ScalarType.Int64);
        var ringShape = model.ShapeDirs.index_select(0, ringU).Plus(model.ShapeDirs.index_select(0, ringL)).Times(0.5); // [K,3,S]
        var teethShape = ringShape.unsqueeze(0).expand(8, k, 3, model.ShapeCount).reshape(added, 3, model.ShapeCount);

        var weightsNew = torch.zeros(added, FlameModelData.JointCount);
        weightsNew.narrow(0, 0, 4 * k).select(1, (int)FlameJoint.Neck).FilledWith(1.0);
        weightsNew.narrow(0, 4 * k, 4 * k).select(1, (int)FlameJoint.Jaw).FilledWith(1.0);

        Tensor? uv = null, uvFaces = null;
        if (model.UvCoords is not null && model.UvFaces is not null)
        {
            long t0 = model.UvCoords.shape[0];
            var uvs = new float[added * 2];
            for (int r = 0; r < 8; r++)
                for (int i = 0; i < k; i++)
                {
                    uvs[(r * k + i) * 2] = (float)(0.25 * i / (k - 1));
                    uvs[(r * k + i) * 2 + 1] = (float)(0.005 * r);
                }
            uv = torch.cat(new[] { model.UvCoords, torch.tensor(uvs, new long[] { added, 2 }) });
            var ft = faces.Select(f => f - v + t0).ToArray();
            uvFaces = torch.cat(new[] { model.UvFaces, torch.tensor(ft, new long[] { ft.Length / 3, 3 }, ScalarType.Int64) });
        }

        var masks = model.VertexMasks.ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        masks["teeth_upper"] = HeldScalarOps.Arange(v, v + 4 * k, 1, ScalarType.Int64);
        masks["teeth_lower"] = HeldScalarOps.Arange(v + 4 * k, v + 8 * k, 1, ScalarType.Int64);
        masks["lip_ring_upper"] = ringU.clone();
        masks["lip_ring_lower"] = ringL.clone();

        var result = new FlameModelData
        {
            VTemplate = torch.cat(new[] { model.VTemplate, torch.tensor(newVerts, new long[] { added, 3 }) }),
            ShapeDirs = torch.cat(new[] { model.ShapeDirs, teethShape }),
            ExpressionDirs = torch.cat(new[] { model.ExpressionDirs, torch.zeros(added, 3, model.ExpressionCount) }),
            PoseDirs = torch.cat(new[] { model.PoseDirs.view(model.PoseDirs.shape[0], v, 3), torch.zeros(model.PoseDirs.shape[0], added, 3) }, 1)
                .reshape(model.PoseDirs.shape[0], (v + added) * 3),
            JRegressor = torch.cat(new[] { model.JRegressor, torch.zeros(FlameModelData.JointCount, added) }, 1),
            Weights = torch.cat(new[] { model.Weights, weightsNew }),
            Parents = model.Parents.ToArray(),
            Faces = torch.cat(new[] { model.Faces, torch.tensor(faces.ToArray(), new long[] { faces.Count / 3, 3 }, ScalarType.Int64) }),
            LandmarkFaces = model.LandmarkFaces.clone(),
            LandmarkBarycentrics = model.LandmarkBarycentrics.clone(),
            DynamicLandmarkFaces = model.DynamicLandmarkFaces?.clone(),
            DynamicLandmarkBarycentrics = model.DynamicLandmarkBarycentrics?.clone(),
            UvCoords = uv,
            UvFaces = uvFaces,
            VertexMasks = masks,
            TeethVertexStart = v,
            TeethFaceStart = model.FaceCount,
            Name = model.Name,
        };
        foreach (var t in new[] { result.VTemplate, result.ShapeDirs, result.ExpressionDirs, result.PoseDirs, result.JRegressor, result.Weights, result.Faces, result.LandmarkFaces, result.LandmarkBarycentrics, result.DynamicLandmarkFaces, result.DynamicLandmarkBarycentrics, result.UvCoords, result.UvFaces })
            t?.MoveToOuterDisposeScope();
        foreach (var t in masks.Values) t.MoveToOuterDisposeScope();
        return result;
    }
}
