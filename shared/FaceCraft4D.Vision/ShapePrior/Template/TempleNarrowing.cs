using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>What <see cref="TempleNarrowing"/> did.</summary>
/// <param name="Mesh">The narrowed mesh (model frame).</param>
/// <param name="Landmarks">The 3D landmarks moved with it (L * 3).</param>
/// <param name="Offsets">Per-vertex displacement from the input mesh (V * 3, metres).</param>
/// <param name="Left">Compression of the subject's left side (model +x), 0..<see cref="TempleNarrowingOptions.MaxNarrowing"/>.</param>
/// <param name="Right">Compression of the right side (model -x).</param>
/// <param name="OutsideBefore">The quantile of the points' distance outside the outline before (pixels; the worse side).</param>
/// <param name="OutsideAfter">The same after.</param>
/// <param name="Points">Face skin points measured (both sides).</param>
public sealed record TempleNarrowingResult(TriangleMesh Mesh, float[] Landmarks, float[] Offsets, double Left, double Right,
    double OutsideBefore, double OutsideAfter, int Points);

/// <summary>
/// The fitted face made as narrow at temple and cheek height as the portrait's face outline
/// (<see cref="FaceOutline"/>: the 68 landmarks' jaw contour closed over the brows). The landmark fit matches the contour
/// landmarks, but the model's face skin beside the eyes (between the eye corners and the ears, in front of the jaw
/// contour, <see cref="HeadRegions.FaceSkinBelowBrows"/>) reaches past that outline in the portrait, onto the hair or
/// background beside the face; the projective texture then paints it with those pixels (the hair-coloured band from the
/// eye back to the ear in the 60-degree views, docs/side-view-diagnosis.md, s24).
/// <para>
/// The deformation, per side s (model x &gt; 0: the subject's left): beyond the outer eye corner's |x| = x_e,
/// |x'| = x_e + (|x| - x_e)(1 - a_s W(p)), W = 1 between the nose tip's and the brows' height in front of the jaw
/// contour's top, fading to 0 over <see cref="TempleNarrowingOptions.HeightFade"/> above and below and over
/// <see cref="TempleNarrowingOptions.BackFade"/> toward the ears. a_s is the smallest compression (bisection) for which
/// the <see cref="TempleNarrowingOptions.Quantile"/> of the distance outside the outline, over the side's face skin
/// points that face the portrait camera, is at most <see cref="TempleNarrowingOptions.TolerancePixels"/>.
/// </para>
/// </summary>
public sealed class TempleNarrowing
{
    private readonly float eyeX, noseY, browY, contourTopZ, heightFade, backFade;

    private TempleNarrowing(float eyeX, float noseY, float browY, float contourTopZ, TempleNarrowingOptions options)
    {
        this.eyeX = eyeX;
        this.noseY = noseY;
        this.browY = browY;
        this.contourTopZ = contourTopZ;
        heightFade = (float)Math.Max(1e-4, options.HeightFade);
        backFade = (float)Math.Max(1e-4, options.BackFade);
    }

    /// <summary>Narrows <paramref name="mesh"/> so its face skin stays inside the portrait's face outline.</summary>
    /// <param name="mesh">The fitted (bald) head, model frame.</param>
    /// <param name="landmarks3d">Its 68 3D landmarks (iBUG order, 204 values).</param>
    /// <param name="regions">Regions of the head (from <paramref name="landmarks3d"/>).</param>
    /// <param name="reference">The portrait's camera (the crop's pixels).</param>
    /// <param name="landmarks68">The portrait's 68 landmarks (x, y interleaved, crop pixels, centres at +0.5).</param>
    /// <param name="facingMin">Points facing the portrait camera less than this (cosine) are not measured.</param>
    /// <param name="options">Settings.</param>
    public static TempleNarrowingResult Fit(TriangleMesh mesh, float[] landmarks3d, HeadRegions regions, Camera reference,
        float[] landmarks68, double facingMin, TempleNarrowingOptions options)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(landmarks3d);
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(landmarks68);
        ArgumentNullException.ThrowIfNull(options);
        if (landmarks3d.Length != 204) throw new ArgumentException("Expected 68 3D landmarks (204 values).", nameof(landmarks3d));
        if (landmarks68.Length != 136) throw new ArgumentException("Expected 68 landmarks (136 values).", nameof(landmarks68));
        Vector3 P(int i) => new(landmarks3d[3 * i], landmarks3d[3 * i + 1], landmarks3d[3 * i + 2]);
        float eyeX = (Math.Abs(P(36).X) + Math.Abs(P(45).X)) / 2;
        float browY = Enumerable.Range(17, 10).Average(i => P(i).Y);
        var shape = new TempleNarrowing(eyeX, P(33).Y, browY, Math.Max(P(0).Z, P(16).Z), options);

        // Which image side model +x lands on (the camera is not mirrored, but the head may be turned).
        var eye = (P(36) + P(45)) / 2;
        bool plusXRight = reference.Project(new Vector3d(eye.X + 0.05, eye.Y, eye.Z)).U > reference.Project(new Vector3d(eye.X - 0.05, eye.Y, eye.Z)).U;
        var polygon = Enumerable.Range(0, 17).Concat(Enumerable.Range(17, 10).Reverse())
            .Select(i => (X: (double)landmarks68[2 * i], Y: (double)landmarks68[2 * i + 1])).ToArray();
        var camera = reference.Position;
        var cameraPosition = new Vector3((float)camera.X, (float)camera.Y, (float)camera.Z);

        var normals = mesh.VertexNormals();
        var left = new List<(Vector3 P, double XLimit, bool Right)>();
        var right = new List<(Vector3 P, double XLimit, bool Right)>();
        for (int v = 0; v < mesh.VertexCount; v++)
        {
            var p = mesh.Position(v);
            if (Math.Abs(p.X) <= eyeX || shape.Weight(p) < 0.5f || regions.FaceSkinBelowBrows(p) < 0.5f) continue;
            var n = new Vector3(normals[3 * v], normals[3 * v + 1], normals[3 * v + 2]);
            if (Vector3.Dot(n, Vector3.Normalize(cameraPosition - p)) < facingMin) continue;
            var (_, row, depth) = reference.Project(new Vector3d(p.X, p.Y, p.Z));
            if (depth <= 0 || !RowSpan(polygon, row, out double xl, out double xr)) continue;
            bool imageRight = (p.X > 0) == plusXRight;
            (p.X > 0 ? left : right).Add((p, imageRight ? xr : xl, imageRight));
        }

        double Outside(List<(Vector3 P, double XLimit, bool Right)> points, double a, bool plusX)
        {
            if (points.Count == 0) return double.NegativeInfinity;
            var d = new double[points.Count];
            for (int k = 0; k < points.Count; k++)
            {
                var q = shape.Deform(points[k].P, plusX ? a : 0, plusX ? 0 : a);
                double u = reference.Project(new Vector3d(q.X, q.Y, q.Z)).U;
                d[k] = points[k].Right ? u - points[k].XLimit : points[k].XLimit - u;
            }
            Array.Sort(d);
            return d[Math.Clamp((int)Math.Ceiling(options.Quantile * d.Length) - 1, 0, d.Length - 1)];
        }

        double Solve(List<(Vector3 P, double XLimit, bool Right)> points, bool plusX)
        {
            if (!options.Enabled || Outside(points, 0, plusX) <= options.TolerancePixels) return 0;
            double lo = 0, hi = Math.Clamp(options.MaxNarrowing, 0, 0.95);
            if (Outside(points, hi, plusX) > options.TolerancePixels) return hi;
            for (int it = 0; it < 24; it++)
            {
                double mid = (lo + hi) / 2;
                if (Outside(points, mid, plusX) > options.TolerancePixels) lo = mid; else hi = mid;
            }
            return hi;
        }

        double aLeft = Solve(left, true), aRight = Solve(right, false);
        double before = Math.Max(Outside(left, 0, true), Outside(right, 0, false));
        double after = Math.Max(Outside(left, aLeft, true), Outside(right, aRight, false));

        var positions = new float[mesh.Positions.Length];
        var offsets = new float[mesh.Positions.Length];
        for (int v = 0; v < mesh.VertexCount; v++)
        {
            var p = mesh.Position(v);
            var q = shape.Deform(p, aLeft, aRight);
            positions[3 * v] = q.X;
            positions[3 * v + 1] = q.Y;
            positions[3 * v + 2] = q.Z;
            offsets[3 * v] = q.X - p.X;
            offsets[3 * v + 1] = q.Y - p.Y;
            offsets[3 * v + 2] = q.Z - p.Z;
        }
        var landmarks = (float[])landmarks3d.Clone();
        for (int i = 0; i < 68; i++) landmarks[3 * i] = shape.Deform(P(i), aLeft, aRight).X;
        return new TempleNarrowingResult(new TriangleMesh(positions, mesh.Triangles), landmarks, offsets, aLeft, aRight,
            double.IsNegativeInfinity(before) ? 0 : before, double.IsNegativeInfinity(after) ? 0 : after, left.Count + right.Count);
    }

    /// <summary>W(p): 1 at temple and cheek height in front of the jaw contour's top, fading above, below and toward the ears.</summary>
    private float Weight(Vector3 p)
    {
        float height = Math.Min(HeadRegions.SmoothStep((p.Y - (noseY - heightFade)) / heightFade), HeadRegions.SmoothStep(((browY + heightFade) - p.Y) / heightFade));
        float front = HeadRegions.SmoothStep((p.Z - (contourTopZ - backFade)) / backFade);
        return height * front;
    }

    /// <summary>The point with its lateral part beyond the eye corners compressed by a (left: x &gt; 0, right: x &lt; 0).</summary>
    private Vector3 Deform(Vector3 p, double left, double right)
    {
        float ax = Math.Abs(p.X);
        if (ax <= eyeX) return p;
        float a = (float)(p.X > 0 ? left : right);
        if (a <= 0) return p;
        float x = eyeX + (ax - eyeX) * (1 - a * Weight(p));
        return p with { X = Math.Sign(p.X) * x };
    }

    /// <summary>The leftmost and rightmost crossing of the polygon with the row (false: the row misses it).</summary>
    private static bool RowSpan((double X, double Y)[] polygon, double y, out double xl, out double xr)
    {
        xl = double.PositiveInfinity;
        xr = double.NegativeInfinity;
        for (int i = 0, j = polygon.Length - 1; i < polygon.Length; j = i++)
        {
            var (xi, yi) = polygon[i];
            var (xj, yj) = polygon[j];
            if ((yi > y) == (yj > y)) continue;
            double x = (xj - xi) * (y - yi) / (yj - yi) + xi;
            xl = Math.Min(xl, x);
            xr = Math.Max(xr, x);
        }
        return xr > xl;
    }
}
