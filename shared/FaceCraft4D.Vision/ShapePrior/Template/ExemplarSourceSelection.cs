using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// Which texels of a hair exemplar are confident enough to be copied: the source region eroded by
/// <see cref="PatchSynthesisOptions.SourceErosion"/> texels (4-neighbour erosion), less the texels whose local mean
/// luminance (5 x 5 over the source) is an outlier of the source's robust distribution (median +- k 1.4826 MAD,
/// <see cref="PatchSynthesisOptions.OutlierDeviations"/>). Local means, so single dark texels between strands stay
/// and only dark or bright patches (a shadow at the hair edge, a brow, background) go.
/// </summary>
public static class ExemplarSourceSelection
{
    /// <summary>The confident source texels [W * H].</summary>
    public static bool[] Select(RgbImage image, bool[] source, PatchSynthesisOptions options)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        int w = image.Width, h = image.Height;
        var kept = (bool[])source.Clone();
        for (int step = 0; step < options.SourceErosion; step++)
        {
            var previous = (bool[])kept.Clone();
            for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int t = y * w + x;
                if (!previous[t]) continue;
                if (x == 0 || y == 0 || x == w - 1 || y == h - 1 || !previous[t - 1] || !previous[t + 1] || !previous[t - w] || !previous[t + w])
                    kept[t] = false;
            }
        }
        if (options.OutlierDeviations <= 0) return kept;

        // Local mean luminance over the source texels in a 5 x 5 window.
        const int r = 2;
        var mean = new float[w * h];
        var values = new List<float>();
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            if (!kept[y * w + x]) continue;
            double sum = 0;
            int n = 0;
            for (int dy = -r; dy <= r; dy++)
            for (int dx = -r; dx <= r; dx++)
            {
                int xx = x + dx, yy = y + dy;
                if (xx < 0 || yy < 0 || xx >= w || yy >= h || !source[yy * w + xx]) continue;
                sum += Luminance(image, xx, yy);
                n++;
            }
            mean[y * w + x] = (float)(sum / n);
            values.Add(mean[y * w + x]);
        }
        if (values.Count < 16) return kept;
        values.Sort();
        float median = values[values.Count / 2];
        var deviations = values.Select(v => Math.Abs(v - median)).OrderBy(v => v).ToArray();
        double sigma = Math.Max(1.4826 * deviations[deviations.Length / 2], 0.01);
        double limit = options.OutlierDeviations * sigma;
        for (int t = 0; t < kept.Length; t++)
            if (kept[t] && Math.Abs(mean[t] - median) > limit) kept[t] = false;
        return kept;
    }

    private static float Luminance(RgbImage image, int x, int y)
    {
        var c = image[x, y];
        return 0.2126f * c.X + 0.7152f * c.Y + 0.0722f * c.Z;
    }
}
