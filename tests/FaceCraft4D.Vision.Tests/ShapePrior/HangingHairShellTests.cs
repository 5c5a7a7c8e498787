using System.Numerics;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.ShapePrior.Template;
using Xunit;

namespace FaceCraft4D.Vision.Tests.ShapePrior;

/// <summary>
/// <see cref="HangingHairShell"/> on a head of revolution around the y axis (the pivot at the origin): a sphere of radius
/// 0.09 m centred at y 0.02 (its widest ring, behind the ears hair with <see cref="SyntheticFaceLandmarks"/>: ears at z -0.01,
/// nape line at the mouth, y -0.04), narrowing below y -0.03 into a neck of radius 0.05 from y -0.05 down.
/// </summary>
public sealed class HangingHairShellTests
{
    private const int Around = 24;
    private static readonly float[] Heights = Enumerable.Range(0, 24).Select(i => 0.11f - 0.01f * i).ToArray(); // 0.11 .. -0.12

    private static float Profile(float y)
    {
        if (y >= -0.03f) return MathF.Sqrt(MathF.Max(0, 0.09f * 0.09f - (y - 0.02f) * (y - 0.02f)));
        float sphere = MathF.Sqrt(0.09f * 0.09f - 0.05f * 0.05f); // at y -0.03
        return y <= -0.05f ? 0.05f : 0.05f + (sphere - 0.05f) * (y + 0.05f) / 0.02f;
    }

    private static TriangleMesh Head()
    {
        var positions = new List<float>();
        foreach (float y in Heights)
            for (int k = 0; k < Around; k++)
            {
                double a = 2 * Math.PI * k / Around; // 0 = toward the face (+z)
                float r = Profile(y);
                positions.AddRange([(float)(r * Math.Sin(a)), y, (float)(r * Math.Cos(a))]);
            }
        var triangles = new List<int>();
        for (int i = 0; i + 1 < Heights.Length; i++)
            for (int k = 0; k < Around; k++)
            {
                int a = i * Around + k, b = i * Around + (k + 1) % Around, c = a + Around, d = b + Around;
                triangles.AddRange([a, c, b, b, c, d]);
            }
        return new TriangleMesh(positions.ToArray(), triangles.ToArray());
    }

    private static int Vertex(float y, int k) => Array.FindIndex(Heights, h => MathF.Abs(h - y) < 1e-6f) * Around + k;

    private static float Radius(TriangleMesh mesh, int v) => new Vector2(mesh.Position(v).X, mesh.Position(v).Z).Length();

    [Fact]
    public void Behind_the_ears_the_head_below_the_widest_ring_is_widened_to_the_shell_down_to_the_hair_end()
    {
        var head = Head();
        var regions = new HeadRegions(SyntheticFaceLandmarks.Metres(), new HeadTextureOptions());
        var options = new HangingHairOptions { EndRadiusShare = 0.9, EndBlend = 0.015 };
        var grown = HangingHairShell.Grow(head, regions, Vector3.Zero, -0.06f, options);

        // The back (k 12) at y -0.04: a quarter of the way above the end from the ring at 0.02: 0.09 * (1 - 0.1 * 0.75).
        int back = Vertex(-0.04f, 12);
        Assert.InRange(Radius(head, back), 0.06f, 0.065f);
        Assert.Equal(0.09f * (1 - 0.1f * 0.75f), Radius(grown.Mesh, back), 3);
        Assert.Equal(0, grown.Mesh.Position(back).Y - head.Position(back).Y); // horizontal only
        // Unchanged: the face side (k 0, 3), above the widest ring, and the neck well below the hair's end.
        foreach (int v in new[] { Vertex(-0.04f, 0), Vertex(-0.04f, 3), Vertex(0.05f, 12), Vertex(-0.10f, 12) })
            Assert.Equal(head.Position(v), grown.Mesh.Position(v));
        Assert.True(grown.Moved > 0);
        Assert.InRange(grown.MaxPush, 0.02, 0.05);
        Assert.Equal(grown.Mesh.Position(back).X - head.Position(back).X, grown.Offsets[3 * back], 6);
    }

    [Fact]
    public void Hair_that_ends_above_the_widest_ring_adds_no_shell()
    {
        var head = Head();
        var regions = new HeadRegions(SyntheticFaceLandmarks.Metres(), new HeadTextureOptions());
        var grown = HangingHairShell.Grow(head, regions, Vector3.Zero, 0.05f, new HangingHairOptions());
        Assert.Equal(0, grown.Moved);
        Assert.Equal(head.Positions, grown.Mesh.Positions);
    }
}
