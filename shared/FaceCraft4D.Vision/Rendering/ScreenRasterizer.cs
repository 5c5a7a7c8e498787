namespace FaceCraft4D.Vision.Rendering;

/// <summary>
/// The scan-conversion core shared by <see cref="MeshRasterizer"/> and <see cref="UvRasterizer"/>: triangles whose
/// corners are given in pixel coordinates (x right, y down, pixel centres at +0.5) with a positive depth z each.
/// Coverage is tested at pixel centres with edge functions (edges inclusive), weights are perspective-correct
/// (interpolated in 1/z, exact for a pinhole projection; affine when every z is equal) and the nearest z wins.
/// Rows are split into bands processed in parallel, each band owning its part of the buffers (no locks).
/// </summary>
internal static class ScreenRasterizer
{
    /// <summary>Rasterizes; <paramref name="screen"/> holds (x, y, z) per vertex, <paramref name="skip"/> marks unusable vertices.</summary>
    /// <param name="cullFrontFacingSign">0: keep both orientations; +1 / -1: keep only triangles whose signed pixel area has this sign.</param>
    public static RasterFragments Rasterize(float[] screen, bool[]? skip, int[] triangles, int width, int height, int cullFrontFacingSign = 0)
    {
        var fragments = new RasterFragments(width, height);
        int triangleCount = triangles.Length / 3;
        int bandCount = Math.Clamp(Environment.ProcessorCount * 4, 1, height);
        int rowsPerBand = (height + bandCount - 1) / bandCount;
        bandCount = (height + rowsPerBand - 1) / rowsPerBand;
        var bands = new List<int>[bandCount];
        for (int b = 0; b < bandCount; b++) bands[b] = new List<int>();

        for (int t = 0; t < triangleCount; t++)
        {
            int a = triangles[3 * t], b = triangles[3 * t + 1], c = triangles[3 * t + 2];
            if (skip is not null && (skip[a] || skip[b] || skip[c])) continue;
            float ya = screen[3 * a + 1], yb = screen[3 * b + 1], yc = screen[3 * c + 1];
            float minY = Math.Min(ya, Math.Min(yb, yc)), maxY = Math.Max(ya, Math.Max(yb, yc));
            int row0 = Math.Max(0, (int)MathF.Ceiling(minY - 0.5f));
            int row1 = Math.Min(height - 1, (int)MathF.Floor(maxY - 0.5f));
            if (row0 > row1) continue;
            for (int band = row0 / rowsPerBand; band <= row1 / rowsPerBand; band++) bands[band].Add(t);
        }

        Parallel.For(0, bandCount, band =>
        {
            int bandRow0 = band * rowsPerBand, bandRow1 = Math.Min(height - 1, bandRow0 + rowsPerBand - 1);
            foreach (int t in bands[band]) Scan(fragments, screen, triangles, t, bandRow0, bandRow1, cullFrontFacingSign);
        });
        return fragments;
    }

    private static void Scan(RasterFragments f, float[] s, int[] triangles, int t, int bandRow0, int bandRow1, int cullSign)
    {
        int ia = triangles[3 * t], ib = triangles[3 * t + 1], ic = triangles[3 * t + 2];
        double x0 = s[3 * ia], y0 = s[3 * ia + 1], z0 = s[3 * ia + 2];
        double x1 = s[3 * ib], y1 = s[3 * ib + 1], z1 = s[3 * ib + 2];
        double x2 = s[3 * ic], y2 = s[3 * ic + 1], z2 = s[3 * ic + 2];
        double area = (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0);
        if (Math.Abs(area) < 1e-12) return;
        if (cullSign != 0 && Math.Sign(area) != cullSign) return;
        double inv = 1.0 / area;
        int col0 = Math.Max(0, (int)Math.Ceiling(Math.Min(x0, Math.Min(x1, x2)) - 0.5));
        int col1 = Math.Min(f.Width - 1, (int)Math.Floor(Math.Max(x0, Math.Max(x1, x2)) - 0.5));
        int row0 = Math.Max(bandRow0, (int)Math.Ceiling(Math.Min(y0, Math.Min(y1, y2)) - 0.5));
        int row1 = Math.Min(bandRow1, (int)Math.Floor(Math.Max(y0, Math.Max(y1, y2)) - 0.5));
        double iz0 = 1.0 / z0, iz1 = 1.0 / z1, iz2 = 1.0 / z2;
        for (int y = row0; y <= row1; y++)
        {
            double py = y + 0.5;
            for (int x = col0; x <= col1; x++)
            {
                double px = x + 0.5;
                // Edge functions: l0 is the weight of corner 0 (opposite edge 1-2), and so on; normalised by the area.
                double l0 = ((x1 - px) * (y2 - py) - (y1 - py) * (x2 - px)) * inv;
                double l1 = ((x2 - px) * (y0 - py) - (y2 - py) * (x0 - px)) * inv;
                double l2 = 1.0 - l0 - l1;
                if (l0 < 0 || l1 < 0 || l2 < 0) continue;
                double w0 = l0 * iz0, w1 = l1 * iz1, w2 = l2 * iz2, sum = w0 + w1 + w2;
                double z = 1.0 / sum;
                int p = y * f.Width + x;
                if (f.TriangleIds[p] >= 0 && z >= f.Depth[p]) continue;
                f.TriangleIds[p] = t;
                f.Depth[p] = (float)z;
                f.Barycentrics[3 * p] = (float)(w0 * z);
                f.Barycentrics[3 * p + 1] = (float)(w1 * z);
                f.Barycentrics[3 * p + 2] = (float)(w2 * z);
            }
        }
    }
}
