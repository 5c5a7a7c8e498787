using System.Numerics;
using FaceCraft4D.Graphics.Cameras;

namespace FaceCraft4D.Vision.Rendering;

/// <summary>
/// Renders a mesh with a per-point colour function: colour and coverage are supersampled and box-filtered
/// (anti-aliased edges, composited over the background), depth is the z-buffer at the pixel centres.
/// Per sample the world point and the normal are interpolated with perspective-correct weights, then shaded by
/// <see cref="ISurfaceColour"/> (no lighting: the colour function returns the final colour).
/// </summary>
public static class MeshViewRenderer
{
    /// <summary>Renders one view at the camera's resolution.</summary>
    /// <param name="mesh">World-space mesh.</param>
    /// <param name="vertexNormals">Unit normals per vertex (V * 3), e.g. <see cref="TriangleMesh.VertexNormals"/>.</param>
    /// <param name="colour">Shading function.</param>
    /// <param name="camera">The view.</param>
    /// <param name="options">Supersampling, background, rasterizer.</param>
    public static RenderedView Render(TriangleMesh mesh, float[] vertexNormals, ISurfaceColour colour, Camera camera, MeshRenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(vertexNormals);
        ArgumentNullException.ThrowIfNull(colour);
        ArgumentNullException.ThrowIfNull(camera);
        var o = options ?? new MeshRenderOptions();
        int s = Math.Max(1, o.Supersampling);
        var fine = s == 1 ? camera : camera.Resized(camera.Width * s, camera.Height * s);
        var fineFragments = MeshRasterizer.Rasterize(mesh, fine, o.Rasterizer);
        var fineImage = Shade(mesh, vertexNormals, colour, fineFragments, o.Background);
        var fineMask = fineFragments.CoverageMask();
        var depth = s == 1 ? fineFragments.ToDepthMap() : MeshRasterizer.Rasterize(mesh, camera, o.Rasterizer).ToDepthMap();
        return new RenderedView(camera, fineImage.Downsample(s), depth, fineMask.Downsample(s));
    }

    /// <summary>Shades rasterized fragments: covered pixels get the colour function's value, the rest the background.</summary>
    public static RgbImage Shade(TriangleMesh mesh, float[] vertexNormals, ISurfaceColour colour, RasterFragments fragments, Vector3 background)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(fragments);
        var points = fragments.Interpolate(mesh.Positions, 3, mesh.Triangles);
        var normals = fragments.Interpolate(vertexNormals, 3, mesh.Triangles);
        var image = new RgbImage(fragments.Width, fragments.Height);
        Parallel.For(0, fragments.Height, y =>
        {
            for (int x = 0; x < fragments.Width; x++)
            {
                int p = y * fragments.Width + x;
                if (fragments.TriangleIds[p] < 0)
                {
                    image[x, y] = background;
                    continue;
                }
                var point = new Vector3(points[3 * p], points[3 * p + 1], points[3 * p + 2]);
                var n = new Vector3(normals[3 * p], normals[3 * p + 1], normals[3 * p + 2]);
                n = n.LengthSquared() > 1e-12f ? Vector3.Normalize(n) : Vector3.UnitZ;
                image[x, y] = colour.Colour(point, n);
            }
        });
        return image;
    }
}
