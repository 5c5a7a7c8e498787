using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.Tests.Rendering;

/// <summary>Reference checks of the z-buffered rasterizer on analytic scenes.</summary>
public sealed class MeshRasterizerTests
{
    private static Camera FrontCamera(int size) =>
        Camera.LookAt(CameraIntrinsics.FromVerticalFov(size, size, 40), new Vector3d(0, 0, 2), Vector3d.Zero, Vector3d.UnitY);

    [Fact]
    public void Perspective_correct_weights_put_every_fragment_on_its_pixel_ray_at_its_depth()
    {
        // A strongly tilted triangle (depth from 1.2 m to 2.9 m): affine weights would be off by pixels.
        var mesh = new TriangleMesh(new float[] { -0.5f, -0.4f, 0.8f, 0.6f, -0.3f, -0.9f, 0.0f, 0.5f, 0.2f }, new[] { 0, 1, 2 });
        var camera = FrontCamera(96);
        var fragments = MeshRasterizer.Rasterize(mesh, camera);
        var points = fragments.Interpolate(mesh.Positions, 3, mesh.Triangles);
        Assert.True(fragments.CoveredCount > 500);
        double worstPixel = 0, worstDepth = 0;
        for (int y = 0; y < 96; y++)
        for (int x = 0; x < 96; x++)
        {
            int p = y * 96 + x;
            if (fragments.TriangleIds[p] < 0) continue;
            var (u, v, z) = camera.Project(new Vector3d(points[3 * p], points[3 * p + 1], points[3 * p + 2]));
            worstPixel = Math.Max(worstPixel, Math.Max(Math.Abs(u - (x + 0.5)), Math.Abs(v - (y + 0.5))));
            worstDepth = Math.Max(worstDepth, Math.Abs(z - fragments.Depth[p]) / z);
        }
        Assert.True(worstPixel < 2e-3, $"fragment off its pixel centre by {worstPixel} px");
        Assert.True(worstDepth < 1e-5, $"relative depth error {worstDepth}");
    }

    [Fact]
    public void Coverage_matches_the_projected_area_and_shared_edges_leave_no_gaps()
    {
        // A square facing the camera, split along its diagonal.
        var mesh = new TriangleMesh(new float[] { -0.4f, -0.3f, 0, 0.4f, -0.3f, 0, 0.4f, 0.3f, 0, -0.4f, 0.3f, 0 }, new[] { 0, 1, 2, 0, 2, 3 });
        var camera = FrontCamera(128);
        var fragments = MeshRasterizer.Rasterize(mesh, camera);
        var (u0, v0, _) = camera.Project(new Vector3d(-0.4, 0.3, 0));
        var (u1, v1, _) = camera.Project(new Vector3d(0.4, -0.3, 0));
        int expected = 0;
        for (int y = 0; y < 128; y++)
        for (int x = 0; x < 128; x++)
            if (x + 0.5 >= u0 && x + 0.5 <= u1 && y + 0.5 >= v0 && y + 0.5 <= v1) expected++;
        Assert.Equal(expected, fragments.CoveredCount);
        Assert.Equal(2, fragments.TriangleIds.Where(t => t >= 0).Distinct().Count());
    }

    [Fact]
    public void The_nearest_triangle_wins_whatever_the_drawing_order()
    {
        float[] near = { -0.5f, -0.5f, 0.3f, 0.5f, -0.5f, 0.3f, 0, 0.5f, 0.3f };
        float[] far = { -0.6f, -0.2f, -0.2f, 0.6f, -0.2f, -0.2f, 0, 0.7f, -0.2f };
        var camera = FrontCamera(64);
        foreach (var (positions, nearId) in new[] { (near.Concat(far).ToArray(), 0), (far.Concat(near).ToArray(), 1) })
        {
            var fragments = MeshRasterizer.Rasterize(new TriangleMesh(positions, new[] { 0, 1, 2, 3, 4, 5 }), camera);
            var (u, v, z) = camera.Project(new Vector3d(0, 0, 0.3));
            int p = (int)v * 64 + (int)u;
            Assert.Equal(nearId, fragments.TriangleIds[p]);
            Assert.Equal(z, fragments.Depth[p], 4);
        }
    }

    [Fact]
    public void Back_face_culling_keeps_counter_clockwise_triangles_seen_from_outside()
    {
        var front = new TriangleMesh(new float[] { -0.5f, -0.5f, 0, 0.5f, -0.5f, 0, 0, 0.5f, 0 }, new[] { 0, 1, 2 }); // CCW seen from +z (the camera)
        var back = new TriangleMesh(front.Positions, new[] { 0, 2, 1 });
        var options = new MeshRasterizerOptions { CullBackFaces = true };
        Assert.True(MeshRasterizer.Rasterize(front, FrontCamera(32), options).CoveredCount > 50);
        Assert.Equal(0, MeshRasterizer.Rasterize(back, FrontCamera(32), options).CoveredCount);
        var n = front.VertexNormals();
        Assert.Equal(1f, n[2], 5); // outward normal toward +z
    }

    [Fact]
    public void Uv_rasterizer_covers_the_atlas_and_locates_texels_on_the_surface()
    {
        var mesh = new TriangleMesh(new float[] { 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0 }, new[] { 0, 1, 2, 0, 2, 3 });
        float[] uv = { 0, 0, 1, 0, 1, 1, 0, 1 };
        var fragments = UvRasterizer.Rasterize(uv, mesh.Triangles, 16, 16);
        Assert.Equal(256, fragments.CoveredCount);
        var points = fragments.Interpolate(mesh.Positions, 3, mesh.Triangles);
        // Texel (x, y) sits at u = (x + 0.5) / 16, v = 1 - (y + 0.5) / 16; the mesh maps (u, v) to (x, y, 0) = (u, v, 0).
        Assert.Equal(3.5f / 16, points[3 * (2 * 16 + 3)], 5);
        Assert.Equal(1 - 2.5f / 16, points[3 * (2 * 16 + 3) + 1], 5);
    }

    [Fact]
    public void Supersampled_mask_approximates_fractional_coverage()
    {
        // A half-plane edge through the middle of a pixel column: the column is half covered.
        var mesh = new TriangleMesh(new float[] { -5, -5, 0, 0, -5, 0, 0, 5, 0, -5, 5, 0 }, new[] { 0, 1, 2, 0, 2, 3 });
        var intrinsics = new CameraIntrinsics(32, 32, 32, 32, 16.5, 16);
        var camera = new Camera(intrinsics, CameraExtrinsics.LookAt(new Vector3d(0, 0, 1), Vector3d.Zero, Vector3d.UnitY));
        var view = MeshViewRenderer.Render(mesh, mesh.VertexNormals(), new Constant(), camera, new MeshRenderOptions { Supersampling = 4 });
        // The camera's x axis is world +x, so the mesh (x <= 0) fills the image left of u = cx = 16.5: column 16 (16..17) is half covered.
        float column = Enumerable.Range(4, 24).Average(y => view.Mask[16, y]);
        Assert.InRange(column, 0.45f, 0.55f);
        Assert.Equal(1f, view.Mask[10, 16]);
        Assert.Equal(0f, view.Mask[20, 16]);
    }

    private sealed class Constant : ISurfaceColour
    {
        public Vector3 Colour(Vector3 point, Vector3 normal) => new(0.2f, 0.4f, 0.6f);
    }
}
