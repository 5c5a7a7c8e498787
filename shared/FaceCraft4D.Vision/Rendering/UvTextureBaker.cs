using System.Numerics;

namespace FaceCraft4D.Vision.Rendering;

/// <summary>
/// Bakes a colour function into a UV texture atlas: each texel covered by a texture-coordinate triangle is shaded
/// at its surface point; then the atlas is dilated outward by a few texels so bilinear lookups at UV seams do not
/// pick up the empty background.
/// </summary>
public static class UvTextureBaker
{
    /// <summary>Bakes a <paramref name="size"/> x <paramref name="size"/> texture.</summary>
    /// <param name="mesh">The mesh (world positions) whose triangles correspond one-to-one to <paramref name="uvTriangles"/>.</param>
    /// <param name="vertexNormals">Unit vertex normals.</param>
    /// <param name="uv">Texture coordinates (T * 2, u right, v up).</param>
    /// <param name="uvTriangles">Texture-coordinate indices per triangle (F * 3).</param>
    /// <param name="colour">Shading function.</param>
    /// <param name="size">Texture side in texels.</param>
    /// <param name="dilation">Texels to grow the charts by.</param>
    public static (RgbImage Texture, FloatImage Coverage) Bake(
        TriangleMesh mesh, float[] vertexNormals, float[] uv, int[] uvTriangles, ISurfaceColour colour, int size, int dilation = 4)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(uvTriangles);
        if (uvTriangles.Length != mesh.Triangles.Length)
            throw new ArgumentException("Texture-coordinate triangles must correspond to the mesh triangles.", nameof(uvTriangles));
        var fragments = UvRasterizer.Rasterize(uv, uvTriangles, size, size);
        // Texel weights are barycentric in UV space; the same weights locate the point on the mesh triangle.
        var texture = MeshViewRenderer.Shade(mesh, vertexNormals, colour, fragments, Vector3.Zero);
        var coverage = fragments.CoverageMask();
        Dilate(texture, coverage, dilation);
        return (texture, coverage);
    }

    private static void Dilate(RgbImage texture, FloatImage coverage, int rounds)
    {
        var filled = coverage.Data.Select(c => c > 0).ToArray();
        int w = texture.Width, h = texture.Height;
        for (int round = 0; round < rounds; round++)
        {
            var next = (bool[])filled.Clone();
            for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                if (filled[y * w + x]) continue;
                var sum = Vector3.Zero;
                int n = 0;
                for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    int xx = x + dx, yy = y + dy;
                    if (xx < 0 || yy < 0 || xx >= w || yy >= h || !filled[yy * w + xx]) continue;
                    sum += texture[xx, yy];
                    n++;
                }
                if (n == 0) continue;
                texture[x, y] = sum / n;
                next[y * w + x] = true;
            }
            filled = next;
        }
    }
}
