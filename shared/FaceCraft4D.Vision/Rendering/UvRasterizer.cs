namespace FaceCraft4D.Vision.Rendering;

/// <summary>
/// Rasterizes a mesh's texture-coordinate triangles into a texture atlas: per texel the triangle and its (affine)
/// barycentric weights, which locate the texel's point on the surface. Texture coordinates follow FLAME's
/// <c>vt</c>: u right and v up in [0, 1]; texel (x, y) is at u = (x + 0.5) / W, v = 1 - (y + 0.5) / H.
/// </summary>
public static class UvRasterizer
{
    /// <summary>Rasterizes <paramref name="uvTriangles"/> (F * 3 indices into <paramref name="uv"/>, T * 2 floats).</summary>
    public static RasterFragments Rasterize(float[] uv, int[] uvTriangles, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(uv);
        ArgumentNullException.ThrowIfNull(uvTriangles);
        int count = uv.Length / 2;
        var screen = new float[count * 3];
        for (int i = 0; i < count; i++)
        {
            screen[3 * i] = uv[2 * i] * width;
            screen[3 * i + 1] = (1f - uv[2 * i + 1]) * height;
            screen[3 * i + 2] = 1f;
        }
        return ScreenRasterizer.Rasterize(screen, null, uvTriangles, width, height);
    }
}
