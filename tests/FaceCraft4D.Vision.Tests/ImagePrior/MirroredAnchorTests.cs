using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.ImagePrior;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.Tests.Rendering;
using Xunit;
using Xunit.Abstractions;

namespace FaceCraft4D.Vision.Tests.ImagePrior;

/// <summary>The reference anchor reflected through the head's plane of symmetry (x = 0), on the synthetic procedural head.</summary>
public sealed class MirroredAnchorTests(ITestOutputHelper output)
{
    private const int Size = 128;

    /// <summary>Stripes that are the same at (x, y, z) and (-x, y, z), so the mirror image of a view is a true view.</summary>
    private sealed class MirrorSymmetricColour : ISurfaceColour
    {
        public Vector3 Colour(Vector3 p, Vector3 n) => new(
            0.5f + 0.3f * MathF.Cos(2 * MathF.PI * p.X / 0.03f) * MathF.Cos(2 * MathF.PI * p.Y / 0.025f),
            0.5f + 0.3f * MathF.Sin(2 * MathF.PI * (p.Y + 0.01f) / 0.035f + 2 * MathF.PI * p.Z / 0.04f),
            0.5f + 0.3f * MathF.Cos(2 * MathF.PI * (p.Z - MathF.Abs(p.X)) / 0.03f));
    }

    [Theory]
    [InlineData(25.0, 0.0, 0.3, 1.6)]
    [InlineData(-10.0, 20.0, -0.1, 1.4)]
    public void Reflected_camera_sees_the_mirrored_point_at_the_mirrored_pixel_and_depth(double yaw, double elevation, double x, double z)
    {
        var camera = SyntheticScene.Orbit(yaw, Size, elevation) with { Intrinsics = SyntheticScene.Orbit(yaw, Size, elevation).Intrinsics with { Cx = 60.5 } };
        var mirrored = MirroredAnchor.Reflect(camera);
        foreach (var p in new[] { new Vector3d(x, 0.05, 0.1), new Vector3d(0.07, -0.04, -0.02), new Vector3d(-0.02, 0.1, 0.08) })
        {
            var (u, v, d) = camera.Project(p);
            var (um, vm, dm) = mirrored.Project(new Vector3d(-p.X, p.Y, p.Z));
            Assert.Equal(Size - u, um, 9);
            Assert.Equal(v, vm, 9);
            Assert.Equal(d, dm, 9);
        }
        // A proper rotation: the camera is not itself a reflection, and sits at the mirrored position.
        var m = mirrored.Extrinsics.WorldToCamera;
        double det = m[0] * (m[5] * m[10] - m[6] * m[9]) - m[1] * (m[4] * m[10] - m[6] * m[8]) + m[2] * (m[4] * m[9] - m[5] * m[8]);
        Assert.Equal(1.0, det, 9);
        Assert.Equal(-camera.Position.X, mirrored.Position.X, 9);
        Assert.Equal(camera.Position.Z, mirrored.Position.Z, 9);
    }

    [Fact]
    public void The_mirrored_portrait_colours_the_side_the_portrait_sees_foreshortened()
    {
        // The portrait from 25 degrees to one side, the target 60 degrees to the other: the mirrored anchor (at -25) sees
        // the target's side at about 35 degrees, the portrait at about 85.
        var mesh = SyntheticScene.Head;
        var normals = mesh.VertexNormals();
        var colour = new MirrorSymmetricColour();
        var portrait = MeshViewRenderer.Render(mesh, normals, colour, SyntheticScene.Orbit(25, Size));
        var target = MeshViewRenderer.Render(mesh, normals, colour, SyntheticScene.Orbit(-60, Size));
        var reference = new AnchorView("reference", portrait.Image, portrait.Depth, portrait.Camera, portrait.Mask);
        var warper = new DepthWarper(new DepthWarpOptions());

        var alone = warper.Warp(reference, target.Camera, target.Depth);
        var both = warper.Warp(new[] { reference, MirroredAnchor.Of(reference) }, target.Camera, target.Depth);

        int aloneCount = alone.Visibility.Data.Count(v => v > 0.5f), bothCount = both.Visibility.Data.Count(v => v > 0.5f);
        int fromMirror = both.Source.Count(s => s == 1);
        int interior = 0;
        double squaredError = 0;
        for (int p = 0; p < Size * Size; p++)
        {
            if (both.Source[p] != 1 || both.SoftMask.Data[p] < 1f || target.Mask.Data[p] < 1f) continue;
            int x = p % Size, y = p / Size;
            squaredError += Vector3.DistanceSquared(both.Image[x, y], target.Image[x, y]) / 3;
            interior++;
        }
        double psnr = 10 * Math.Log10(1 / (squaredError / Math.Max(1, interior)));
        output.WriteLine($"warped px: portrait alone {aloneCount}, with its mirror {bothCount} ({fromMirror} from the mirror); mirror's interior PSNR {psnr:F1} dB over {interior} px");

        Assert.True(fromMirror > bothCount / 2, $"the mirror supplied {fromMirror} of {bothCount} px");
        Assert.True(bothCount > aloneCount * 1.3, $"warped px {aloneCount} -> {bothCount}");
        Assert.True(interior > 500, $"only {interior} interior pixels");
        Assert.True(psnr >= 28, $"PSNR {psnr:F1} dB");
    }

    [Theory]
    [InlineData(2.0, 0)]   // near-frontal: 4 degrees between portrait and mirror, under the 10-degree handicap
    [InlineData(25.0, 1)]  // turned: 50 degrees between them, the mirror still colours the far side
    public void The_handicap_keeps_a_near_frontal_portraits_own_pixels_and_leaves_a_turned_ones_far_side_to_the_mirror(double yaw, int mirrorExpected)
    {
        var mesh = SyntheticScene.Head;
        var normals = mesh.VertexNormals();
        var colour = new MirrorSymmetricColour();
        var portrait = MeshViewRenderer.Render(mesh, normals, colour, SyntheticScene.Orbit(yaw, Size));
        var target = MeshViewRenderer.Render(mesh, normals, colour, SyntheticScene.Orbit(-60, Size));
        var reference = new AnchorView("reference", portrait.Image, portrait.Depth, portrait.Camera, portrait.Mask);
        var warper = new DepthWarper(new DepthWarpOptions());

        var free = warper.Warp(new[] { reference, MirroredAnchor.Of(reference) }, target.Camera, target.Depth);
        var handicapped = warper.Warp(new[] { reference, MirroredAnchor.Of(reference, 10) }, target.Camera, target.Depth);

        int freeMirror = free.Source.Count(s => s == 1), handicappedMirror = handicapped.Source.Count(s => s == 1);
        int freeOwn = free.Source.Count(s => s == 0), handicappedOwn = handicapped.Source.Count(s => s == 0);
        output.WriteLine($"portrait at {yaw}: mirror px {freeMirror} -> {handicappedMirror} with the handicap, portrait px {freeOwn} -> {handicappedOwn}");

        Assert.True(freeMirror > freeOwn, $"without a handicap the mirror should win the far side: {freeMirror} vs {freeOwn}");
        if (mirrorExpected == 0)
        {
            // Every pixel the portrait sees is the portrait's again; the mirror keeps only what the portrait cannot see.
            int aloneOwn = warper.Warp(reference, target.Camera, target.Depth).Source.Count(s => s == 0);
            Assert.Equal(aloneOwn, handicappedOwn);
            Assert.True(handicappedMirror < freeMirror / 5, $"the mirror kept {handicappedMirror} of {freeMirror} px");
        }
        else
        {
            Assert.True(handicappedMirror > handicappedOwn, $"the mirror should still win the far side: {handicappedMirror} vs {handicappedOwn}");
        }
        // Every pixel either anchor covers is still covered: the handicap only chooses between them.
        Assert.Equal(free.Source.Count(s => s >= 0), handicapped.Source.Count(s => s >= 0));
    }

    [Fact]
    public void A_negative_handicap_is_refused()
    {
        var portrait = MeshViewRenderer.Render(SyntheticScene.Head, SyntheticScene.Head.VertexNormals(), new MirrorSymmetricColour(), SyntheticScene.Orbit(0, 32));
        var reference = new AnchorView("reference", portrait.Image, portrait.Depth, portrait.Camera, portrait.Mask);
        Assert.Throws<ArgumentOutOfRangeException>(() => MirroredAnchor.Of(reference, -1));
    }
}
