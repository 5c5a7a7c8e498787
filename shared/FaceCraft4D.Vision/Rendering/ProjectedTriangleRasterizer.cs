namespace FaceCraft4D.Vision.Rendering;

/// <summary>
/// Rasterizes triangles already projected to pixel coordinates (x, y, depth per vertex): for warping a depth map
/// as a grid of triangles. Same coverage, depth test and perspective-correct weights as <see cref="MeshRasterizer"/>.
/// </summary>
public static class ProjectedTriangleRasterizer
{
    /// <summary>Rasterizes; <paramref name="skip"/> marks vertices whose triangles are dropped.</summary>
    public static RasterFragments Rasterize(float[] screen, bool[]? skip, int[] triangles, int width, int height) =>
        ScreenRasterizer.Rasterize(screen, skip, triangles, width, height);
}
