using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.ShapePrior.Template;
using Xunit;

namespace FaceCraft4D.Vision.Tests.ShapePrior;

/// <summary>
/// <see cref="TempleNarrowing"/> on a synthetic head (an ellipsoid, face toward +z) whose portrait face outline is narrower
/// than the head: the face skin beside the eyes projects past the outline before, stays within it after, and nothing
/// outside the temple and cheek band moves.
/// </summary>
public sealed class TempleNarrowingTests
{
    private const int Size = 128;

    // Camera 1 m in front of the head (model frame: +y up, face toward +z), looking at the origin.
    private static readonly Camera Portrait = Camera.LookAt(CameraIntrinsics.FromVerticalFov(Size, Size, 20),
        new Vector3d(0, 0, 1), Vector3d.Zero, Vector3d.UnitY);

    /// <summary>The portrait's landmarks: the 3D ones projected, with the contour's x pulled 20 % toward the face's centre
    /// (a portrait face narrower than the model's).</summary>
    private static float[] Landmarks2d(float[] landmarks3d)
    {
        var l = new float[136];
        var (cx, _, _) = Portrait.Project(Vector3d.Zero);
        for (int i = 0; i < 68; i++)
        {
            var (u, v, _) = Portrait.Project(new Vector3d(landmarks3d[3 * i], landmarks3d[3 * i + 1], landmarks3d[3 * i + 2]));
            if (i <= 16) u = cx + 0.8 * (u - cx);
            l[2 * i] = (float)u;
            l[2 * i + 1] = (float)v;
        }
        return l;
    }

    /// <summary>An ellipsoid (radii 0.08, 0.11, 0.10 m) as a UV sphere.</summary>
    private static TriangleMesh Head()
    {
        const int rings = 48, segments = 96;
        var positions = new List<float>();
        for (int r = 0; r <= rings; r++)
        {
            double theta = Math.PI * r / rings;
            for (int s = 0; s < segments; s++)
            {
                double phi = 2 * Math.PI * s / segments;
                positions.Add((float)(0.08 * Math.Sin(theta) * Math.Sin(phi)));
                positions.Add((float)(0.11 * Math.Cos(theta)));
                positions.Add((float)(0.10 * Math.Sin(theta) * Math.Cos(phi)));
            }
        }
        var triangles = new List<int>();
        for (int r = 0; r < rings; r++)
        for (int s = 0; s < segments; s++)
        {
            int a = r * segments + s, b = r * segments + (s + 1) % segments, c = a + segments, d = b + segments;
            // Counter-clockwise seen from outside: outward normals.
            triangles.AddRange(new[] { a, c, b, b, c, d });
        }
        return new TriangleMesh(positions.ToArray(), triangles.ToArray());
    }

    private static TempleNarrowingResult Narrow(TempleNarrowingOptions options)
    {
        var landmarks = SyntheticFaceLandmarks.Metres();
        var regions = new HeadRegions(landmarks, new HeadTextureOptions());
        return TempleNarrowing.Fit(Head(), landmarks, regions, Portrait, Landmarks2d(landmarks), 0.25, options);
    }

    [Fact]
    public void Face_skin_beside_the_eyes_ends_inside_the_portraits_outline()
    {
        var options = new TempleNarrowingOptions { Enabled = true };
        var result = Narrow(options);

        Assert.True(result.Points > 20, $"{result.Points} face skin points measured");
        Assert.True(result.OutsideBefore > 2, $"before: {result.OutsideBefore:F2} px outside the outline");
        Assert.True(result.OutsideAfter <= options.TolerancePixels + 1e-6, $"after: {result.OutsideAfter:F2} px outside the outline");
        Assert.InRange(result.Left, 0.01, options.MaxNarrowing);
        Assert.InRange(result.Right, 0.01, options.MaxNarrowing);
        Assert.Equal(result.Left, result.Right, 2); // the head and its outline are symmetric

        var head = Head();
        double eyeX = 0.03;
        for (int v = 0; v < head.VertexCount; v++)
        {
            var p = head.Position(v);
            var offset = new Vector3(result.Offsets[3 * v], result.Offsets[3 * v + 1], result.Offsets[3 * v + 2]);
            Assert.Equal(0f, offset.Y);
            Assert.Equal(0f, offset.Z);
            Assert.True(Vector3.Distance(p + offset, result.Mesh.Position(v)) < 1e-6f);
            // Only the lateral part moves, inward, and only at temple and cheek height in front of the ears.
            if (Math.Abs(p.X) <= eyeX || p.Y > 0.05 + options.HeightFade || p.Y < -options.HeightFade || p.Z < -options.BackFade)
                Assert.True(Math.Abs(offset.X) < 1e-6f, $"vertex {v} at {p} moved by {offset.X}");
            else
                Assert.True(offset.X * Math.Sign(p.X) <= 0, $"vertex {v} moved outward");
        }
        // The landmarks move with the mesh: the contour's top inward, the eye corners not.
        Assert.True(Math.Abs(result.Landmarks[0]) < 0.07f - 1e-4f);
        Assert.Equal(-0.03f, result.Landmarks[3 * 36], 6);
    }

    [Fact]
    public void Off_leaves_the_head_as_fitted()
    {
        var result = Narrow(new TempleNarrowingOptions { Enabled = false });
        Assert.Equal(0, result.Left);
        Assert.Equal(0, result.Right);
        Assert.True(result.OutsideBefore > 2);
        Assert.All(result.Offsets, o => Assert.Equal(0f, o));
        Assert.Equal(SyntheticFaceLandmarks.Metres(), result.Landmarks);
    }
}
