namespace FaceCraft4D.Vision.Rendering;

/// <summary>
/// What a triangle rasterizer leaves per pixel: the nearest triangle (-1 where none), the perspective-correct
/// barycentric weights of its corners (b0 + b1 + b2 = 1, for the triangle's corners in index order) and the camera
/// depth z of the surface point (0 where none). Row-major, pixel (x, y) sampled at its centre (x + 0.5, y + 0.5).
/// </summary>
public sealed class RasterFragments
{
    internal RasterFragments(int width, int height)
    {
        Width = width;
        Height = height;
        TriangleIds = new int[width * height];
        Array.Fill(TriangleIds, -1);
        Barycentrics = new float[width * height * 3];
        Depth = new float[width * height];
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Nearest triangle per pixel, -1 for background.</summary>
    public int[] TriangleIds { get; }

    /// <summary>Barycentric weights per pixel (3 each; zeros for background).</summary>
    public float[] Barycentrics { get; }

    /// <summary>Camera depth per pixel (0 for background).</summary>
    public float[] Depth { get; }

    /// <summary>True where a triangle covers the pixel centre.</summary>
    public bool IsCovered(int x, int y) => TriangleIds[y * Width + x] >= 0;

    /// <summary>Number of covered pixels.</summary>
    public int CoveredCount => TriangleIds.Count(t => t >= 0);

    /// <summary>The depth buffer as a <see cref="DepthMap"/> (shares nothing).</summary>
    public DepthMap ToDepthMap() => new(Width, Height, (float[])Depth.Clone());

    /// <summary>Coverage as a 0/1 mask.</summary>
    public FloatImage CoverageMask() => new(Width, Height, TriangleIds.Select(t => t >= 0 ? 1f : 0f).ToArray());

    /// <summary>
    /// Interpolates a per-vertex attribute (V * <paramref name="channels"/> floats) with the barycentric weights of the
    /// corners of <paramref name="triangles"/> (the triangles the fragments were made from): W * H * channels floats,
    /// zeros for background.
    /// </summary>
    public float[] Interpolate(float[] vertexAttribute, int channels, int[] triangles)
    {
        ArgumentNullException.ThrowIfNull(vertexAttribute);
        ArgumentNullException.ThrowIfNull(triangles);
        var result = new float[Width * Height * channels];
        Parallel.For(0, Height, y =>
        {
            for (int x = 0; x < Width; x++)
            {
                int p = y * Width + x, t = TriangleIds[p];
                if (t < 0) continue;
                float b0 = Barycentrics[3 * p], b1 = Barycentrics[3 * p + 1], b2 = Barycentrics[3 * p + 2];
                int a = triangles[3 * t] * channels, b = triangles[3 * t + 1] * channels, c = triangles[3 * t + 2] * channels;
                for (int k = 0; k < channels; k++)
                    result[p * channels + k] = b0 * vertexAttribute[a + k] + b1 * vertexAttribute[b + k] + b2 * vertexAttribute[c + k];
            }
        });
        return result;
    }
}
