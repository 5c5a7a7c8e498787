using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// Renders the head with its completed texture (<see cref="CompletedHeadTexture"/>): like
/// <see cref="MeshViewRenderer"/> (supersampled colour and coverage over the background, depth at the pixel centres),
/// but each sample also interpolates its texture coordinate (perspective-correct barycentrics of the triangle's
/// texture corners), since the completion lives in texture space.
/// </summary>
public static class AtlasViewRenderer
{
    /// <summary>Renders one view at the camera's resolution.</summary>
    /// <param name="mesh">World-space mesh.</param>
    /// <param name="vertexNormals">Unit vertex normals [V * 3].</param>
    /// <param name="uv">Texture coordinates [T * 2].</param>
    /// <param name="uvTriangles">Texture-coordinate indices per triangle [F * 3].</param>
    /// <param name="texture">The completed texture.</param>
    /// <param name="camera">The view.</param>
    /// <param name="options">Supersampling, background, rasterizer.</param>
    public static RenderedView Render(TriangleMesh mesh, float[] vertexNormals, float[] uv, int[] uvTriangles, CompletedHeadTexture texture,
        Camera camera, MeshRenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(texture);
        ArgumentNullException.ThrowIfNull(camera);
        if (uvTriangles.Length != mesh.Triangles.Length) throw new ArgumentException("Texture triangles must match the mesh triangles.", nameof(uvTriangles));
        var o = options ?? new MeshRenderOptions();
        int s = Math.Max(1, o.Supersampling);
        var fine = s == 1 ? camera : camera.Resized(camera.Width * s, camera.Height * s);
        var fragments = MeshRasterizer.Rasterize(mesh, fine, o.Rasterizer);
        var points = fragments.Interpolate(mesh.Positions, 3, mesh.Triangles);
        var normals = fragments.Interpolate(vertexNormals, 3, mesh.Triangles);
        // Texture coordinates per triangle corner [F * 3 * 2], indexed by corner number 0..3F-1.
        var cornerUv = new float[uvTriangles.Length * 2];
        var corners = new int[uvTriangles.Length];
        for (int k = 0; k < uvTriangles.Length; k++)
        {
            cornerUv[2 * k] = uv[2 * uvTriangles[k]];
            cornerUv[2 * k + 1] = uv[2 * uvTriangles[k] + 1];
            corners[k] = k;
        }
        var texcoords = fragments.Interpolate(cornerUv, 2, corners);
        var image = new RgbImage(fragments.Width, fragments.Height);
        Parallel.For(0, fragments.Height, y =>
        {
            for (int x = 0; x < fragments.Width; x++)
            {
                int p = y * fragments.Width + x;
                if (fragments.TriangleIds[p] < 0)
                {
                    image[x, y] = o.Background;
                    continue;
                }
                var point = new Vector3(points[3 * p], points[3 * p + 1], points[3 * p + 2]);
                var n = new Vector3(normals[3 * p], normals[3 * p + 1], normals[3 * p + 2]);
                n = n.LengthSquared() > 1e-12f ? Vector3.Normalize(n) : Vector3.UnitZ;
                image[x, y] = texture.Colour(point, n, texcoords[2 * p], texcoords[2 * p + 1]);
            }
        });
        var depth = s == 1 ? fragments.ToDepthMap() : MeshRasterizer.Rasterize(mesh, camera, o.Rasterizer).ToDepthMap();
        return new RenderedView(camera, image.Downsample(s), depth, fragments.CoverageMask().Downsample(s));
    }
}
