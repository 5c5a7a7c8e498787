using FaceCraft4D.Graphics.Flame;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// Where each MediaPipe FaceMesh landmark lies on a FLAME-format head: a triangle and barycentric weights per
/// landmark. Built from geometry, so it serves any FLAME-format model (FLAME 2020/2023, the procedural head):
/// MediaPipe's canonical face is aligned to the model's mean head by a similarity on the iBUG anchors
/// (<see cref="MediaPipeCanonicalFace.IbugAnchors"/>, through the model's embedded 68/51 landmarks), then each
/// canonical vertex is projected along the viewing axis (z) onto the model's front-facing skin triangles (eyeballs
/// and teeth excluded), taking the hit nearest in depth. A vertex over no triangle (a mouth corner over the lip
/// slit) snaps to the nearest skin vertex within 5 mm in the image plane, else it is left out.
/// With irises, the two iris centres (478-point FaceMesh: 468 image-left, 473 image-right) map to the front pole
/// of the eyeball on that side, so the fit can turn the eyes.
/// </summary>
public sealed class DenseLandmarkCorrespondence
{
    private DenseLandmarkCorrespondence(int[] meshIndices, long[] faces, double[] barycentrics, double anchorRmsMetres)
    {
        MeshIndices = meshIndices; Faces = faces; Barycentrics = barycentrics; AnchorRmsMetres = anchorRmsMetres;
    }

    /// <summary>FaceMesh landmark index of model point k (0..467, 468/473 for the iris centres).</summary>
    public IReadOnlyList<int> MeshIndices { get; }
    /// <summary>Model triangle of point k.</summary>
    public IReadOnlyList<long> Faces { get; }
    /// <summary>Barycentric weights of point k (3 per point).</summary>
    public IReadOnlyList<double> Barycentrics { get; }
    /// <summary>RMS distance between the aligned canonical anchors and the model's anchor landmarks, metres.</summary>
    public double AnchorRmsMetres { get; }
    public int Count => MeshIndices.Count;

    /// <summary>A canonical vertex over no skin triangle snaps to the nearest skin vertex (image plane) within this distance.</summary>
    public const double SnapDistanceMetres = 0.005;

    /// <summary>A <see cref="FlameLandmarkModel"/> evaluating exactly these points.</summary>
    public FlameLandmarkModel CreateModel(FlameModelData data, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        using var faces = torch.tensor(Faces.ToArray(), ScalarType.Int64);
        using var bary = torch.tensor(Barycentrics.ToArray(), new long[] { Count, 3 }, ScalarType.Float32);
        return new FlameLandmarkModel(data, faces, bary, device, dtype);
    }

    /// <param name="data">The head model (its mean shape: template, zero pose).</param>
    /// <param name="withIrises">Add the iris centres (needs "left_eyeball"/"right_eyeball" vertex masks).</param>
    public static DenseLandmarkCorrespondence Build(FlameModelData data, bool withIrises)
    {
        ArgumentNullException.ThrowIfNull(data);
        var v = data.VTemplate.to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray(); // [V*3]
        var f = data.Faces.to(ScalarType.Int64).cpu().contiguous().data<long>().ToArray(); // [F*3]
        int faceCount = f.Length / 3;

        // Model anchor landmarks (mean head) from its embedded landmarks.
        var lmFaces = data.LandmarkFaces.to(ScalarType.Int64).cpu().data<long>().ToArray();
        var lmBary = data.LandmarkBarycentrics.to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        var ibug = LandmarkCorrespondence.ForModel(data.LandmarkCount).IbugIndices;
        var src = new List<double[]>(); var dst = new List<double[]>();
        var canonical = MediaPipeCanonicalFace.Instance;
        for (int k = 0; k < ibug.Count; k++)
        {
            if (!MediaPipeCanonicalFace.IbugAnchors.TryGetValue(ibug[k], out int mp)) continue;
            var p = new double[3];
            for (int c = 0; c < 3; c++)
            {
                long vi = f[3 * lmFaces[k] + c];
                for (int d = 0; d < 3; d++) p[d] += lmBary[3 * k + c] * v[3 * vi + d];
            }
            dst.Add(p);
            src.Add(canonical.Vertices[mp].Select(x => x / 100.0).ToArray()); // cm -> m
        }
        if (src.Count < 4) throw new InvalidOperationException($"only {src.Count} anchor landmarks: cannot align the canonical face.");
        var (scale, rot, trans) = Similarity(src, dst);
        double rms = Math.Sqrt(src.Zip(dst, (s, d) => Dist2(Apply(s), d)).Average());

        // Skin triangles: not eyeballs or teeth, facing the camera.
        var excluded = new HashSet<long>();
        foreach (var name in new[] { "eyeballs", "left_eyeball", "right_eyeball" })
            if (data.VertexMasks.TryGetValue(name, out var mask))
                foreach (var i in mask.to(ScalarType.Int64).cpu().data<long>().ToArray()) excluded.Add(i);
        var skin = new List<int>();
        for (int t = 0; t < (data.TeethFaceStart ?? faceCount); t++)
        {
            if (excluded.Contains(f[3 * t]) || excluded.Contains(f[3 * t + 1]) || excluded.Contains(f[3 * t + 2])) continue;
            if (NormalZ(t) > 0) skin.Add(t);
        }

        var meshIndices = new List<int>(); var faces = new List<long>(); var bary = new List<double>();
        for (int i = 0; i < MediaPipeCanonicalFace.VertexCount; i++)
        {
            var q = Apply(canonical.Vertices[i].Select(x => x / 100.0).ToArray());
            if (CastZ(skin, q, nearestDepth: true) is { } hit) Add(i, hit);
            else if (NearestSkinVertex(q) is { } snap) Add(i, snap); // e.g. mouth corners over the lip slit
        }
        if (withIrises)
        {
            if (!data.VertexMasks.TryGetValue("left_eyeball", out var left) || !data.VertexMasks.TryGetValue("right_eyeball", out var right))
                throw new InvalidOperationException($"head model '{data.Name}' has no eyeball vertex masks; irises cannot be corresponded.");
            // Each iris goes to the eyeball nearer (in x) to the aligned canonical centre of its eye's corners.
            double EyeX(int outer, int inner) => 0.5 * (Apply(canonical.Vertices[outer].Select(x => x / 100.0).ToArray())[0]
                                                       + Apply(canonical.Vertices[inner].Select(x => x / 100.0).ToArray())[0]);
            double imageLeftX = EyeX(33, 133);
            var eyes = new[] { left, right }.Select(EyeballPole).OrderBy(e => Math.Abs(e.CentreX - imageLeftX)).ToArray();
            Add(468, eyes[0].Hit);
            Add(473, eyes[1].Hit);
        }
        return new DenseLandmarkCorrespondence(meshIndices.ToArray(), faces.ToArray(), bary.ToArray(), rms);

        void Add(int index, (long Face, double B0, double B1, double B2) hit)
        {
            meshIndices.Add(index); faces.Add(hit.Face); bary.Add(hit.B0); bary.Add(hit.B1); bary.Add(hit.B2);
        }

        double[] Apply(double[] p)
        {
            var r = new double[3];
            for (int a = 0; a < 3; a++) r[a] = scale * (rot[3 * a] * p[0] + rot[3 * a + 1] * p[1] + rot[3 * a + 2] * p[2]) + trans[a];
            return r;
        }

        double NormalZ(int t)
        {
            long a = f[3 * t], b = f[3 * t + 1], c = f[3 * t + 2];
            double ux = v[3 * b] - v[3 * a], uy = v[3 * b + 1] - v[3 * a + 1], wx = v[3 * c] - v[3 * a], wy = v[3 * c + 1] - v[3 * a + 1];
            return ux * wy - uy * wx;
        }

        (long Face, double B0, double B1, double B2)? CastZ(IEnumerable<int> triangles, double[] q, bool nearestDepth)
        {
            (long, double, double, double)? best = null;
            double bestScore = double.MaxValue;
            foreach (int t in triangles)
            {
                long a = f[3 * t], b = f[3 * t + 1], c = f[3 * t + 2];
                double ax = v[3 * a], ay = v[3 * a + 1], bx = v[3 * b], by = v[3 * b + 1], cx = v[3 * c], cy = v[3 * c + 1];
                double det = (by - cy) * (ax - cx) + (cx - bx) * (ay - cy);
                if (Math.Abs(det) < 1e-14) continue;
                double l0 = ((by - cy) * (q[0] - cx) + (cx - bx) * (q[1] - cy)) / det;
                double l1 = ((cy - ay) * (q[0] - cx) + (ax - cx) * (q[1] - cy)) / det;
                double l2 = 1 - l0 - l1;
                if (l0 < 0 || l1 < 0 || l2 < 0) continue;
                double z = l0 * v[3 * a + 2] + l1 * v[3 * b + 2] + l2 * v[3 * c + 2];
                double score = nearestDepth ? Math.Abs(z - q[2]) : -z;
                if (score < bestScore) { bestScore = score; best = (t, l0, l1, l2); }
            }
            return best;
        }

        // The skin vertex nearest in the image plane, if within SnapDistance: its triangle with weight 1 on it.
        (long Face, double B0, double B1, double B2)? NearestSkinVertex(double[] q)
        {
            (long, double, double, double)? best = null;
            double bestD = SnapDistanceMetres * SnapDistanceMetres;
            foreach (int t in skin)
                for (int c = 0; c < 3; c++)
                {
                    long vi = f[3 * t + c];
                    double d = Math.Pow(v[3 * vi] - q[0], 2) + Math.Pow(v[3 * vi + 1] - q[1], 2);
                    if (d < bestD) { bestD = d; best = (t, c == 0 ? 1 : 0, c == 1 ? 1 : 0, c == 2 ? 1 : 0); }
                }
            return best;
        }

        (double CentreX, (long, double, double, double) Hit) EyeballPole(Tensor mask)
        {
            var ids = mask.to(ScalarType.Int64).cpu().data<long>().ToHashSet();
            double cx = ids.Average(i => v[3 * i]), cy = ids.Average(i => v[3 * i + 1]);
            var tris = Enumerable.Range(0, faceCount).Where(t => ids.Contains(f[3 * t]) && ids.Contains(f[3 * t + 1]) && ids.Contains(f[3 * t + 2])).ToList();
            var hit = CastZ(tris, new[] { cx, cy, 0.0 }, nearestDepth: false)
                ?? throw new InvalidOperationException($"head model '{data.Name}': no eyeball triangle in front of the eyeball centre.");
            return (cx, hit);
        }
    }

    private static double Dist2(double[] a, double[] b) => (a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]);

    /// <summary>Least-squares similarity dst ~ s R src + t (Umeyama), R row-major [9].</summary>
    public static (double Scale, double[] Rotation, double[] Translation) Similarity(IReadOnlyList<double[]> src, IReadOnlyList<double[]> dst)
    {
        int n = src.Count;
        var ms = new double[3]; var md = new double[3];
        for (int i = 0; i < n; i++) for (int a = 0; a < 3; a++) { ms[a] += src[i][a] / n; md[a] += dst[i][a] / n; }
        var cov = new double[9]; double varS = 0;
        for (int i = 0; i < n; i++)
            for (int a = 0; a < 3; a++)
            {
                varS += Math.Pow(src[i][a] - ms[a], 2) / n;
                for (int b = 0; b < 3; b++) cov[3 * a + b] += (dst[i][a] - md[a]) * (src[i][b] - ms[b]) / n;
            }
        using var c = torch.tensor(cov, new long[] { 3, 3 }, ScalarType.Float64);
        var (u, sv, vh) = torch.linalg.svd(c);
        using (u) using (sv) using (vh)
        {
            using var uvt = torch.matmul(u, vh);
            double det = torch.linalg.det(uvt).item<double>();
            using var d = torch.diag(torch.tensor(new[] { 1.0, 1.0, det < 0 ? -1.0 : 1.0 }, ScalarType.Float64));
            using var r = torch.matmul(torch.matmul(u, d), vh);
            var rot = r.contiguous().data<double>().ToArray();
            var s = sv.data<double>().ToArray();
            double scale = (s[0] + s[1] + (det < 0 ? -s[2] : s[2])) / varS;
            var t = new double[3];
            for (int a = 0; a < 3; a++) t[a] = md[a] - scale * (rot[3 * a] * ms[0] + rot[3 * a + 1] * ms[1] + rot[3 * a + 2] * ms[2]);
            return (scale, rot, t);
        }
    }
}
