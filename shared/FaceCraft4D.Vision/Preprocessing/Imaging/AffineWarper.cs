namespace FaceCraft4D.Vision.Preprocessing.Imaging;

/// <summary>
/// Warps an image through an affine map with bilinear interpolation. When the map shrinks the image
/// (more than one source pixel per output pixel) each output pixel averages an n x n grid of bilinear
/// samples (n = ceil(source pixels per output pixel)), which suppresses aliasing.
/// </summary>
public static class AffineWarper
{
    /// <param name="src">source image</param>
    /// <param name="outputToSource">maps output pixel-centre coordinates to source coordinates (pixel centres at integers)</param>
    public static RgbImageBuffer Warp(RgbImageBuffer src, SimilarityMap outputToSource, int outWidth, int outHeight, BorderMode border)
    {
        var dst = new RgbImageBuffer(outWidth, outHeight);
        double step = outputToSource.Scale; // source pixels per output pixel
        int n = Math.Clamp((int)Math.Ceiling(step - 1e-6), 1, 8);
        int plane = outWidth * outHeight;
        Span<float> px = stackalloc float[3];
        for (int y = 0; y < outHeight; y++)
        {
            for (int x = 0; x < outWidth; x++)
            {
                float r = 0, g = 0, b = 0;
                for (int sy = 0; sy < n; sy++)
                {
                    double oy = y + (sy + 0.5) / n - 0.5;
                    for (int sx = 0; sx < n; sx++)
                    {
                        double ox = x + (sx + 0.5) / n - 0.5;
                        var (u, v) = outputToSource.Apply(ox, oy);
                        SampleBilinear(src, u, v, border, px);
                        r += px[0]; g += px[1]; b += px[2];
                    }
                }
                float inv = 1f / (n * n);
                int i = y * outWidth + x;
                dst.Data[i] = r * inv; dst.Data[plane + i] = g * inv; dst.Data[2 * plane + i] = b * inv;
            }
        }
        return dst;
    }

    /// <summary>Bilinear sample at (u, v) (pixel centres at integers); writes R, G, B into <paramref name="rgb"/>.</summary>
    public static void SampleBilinear(RgbImageBuffer src, double u, double v, BorderMode border, Span<float> rgb)
    {
        int w = src.Width, h = src.Height;
        if (border == BorderMode.White && (u < -0.5 || v < -0.5 || u > w - 0.5 || v > h - 0.5))
        {
            rgb[0] = rgb[1] = rgb[2] = 255f;
            return;
        }
        u = Math.Clamp(u, 0, w - 1); v = Math.Clamp(v, 0, h - 1);
        int x0 = (int)Math.Floor(u), y0 = (int)Math.Floor(v);
        int x1 = Math.Min(x0 + 1, w - 1), y1 = Math.Min(y0 + 1, h - 1);
        float fx = (float)(u - x0), fy = (float)(v - y0);
        int plane = src.PlaneSize;
        for (int c = 0; c < 3; c++)
        {
            int o = c * plane;
            float a = src.Data[o + y0 * w + x0], b = src.Data[o + y0 * w + x1];
            float cc = src.Data[o + y1 * w + x0], d = src.Data[o + y1 * w + x1];
            rgb[c] = (a * (1 - fx) + b * fx) * (1 - fy) + (cc * (1 - fx) + d * fx) * fy;
        }
    }
}
