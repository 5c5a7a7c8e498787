using System.Numerics;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// Smooth interpolation of unknown texels from known ones (membrane inpainting): a pull-push pyramid (weighted 2 x 2
/// means down; on the way up each texel keeps its own colour by its weight and takes the rest from the coarser level,
/// bilinearly) gives every texel a value, then Jacobi relaxation of the Laplace equation over the domain, with the
/// known texels fixed, removes the pyramid's blockiness. Known texels keep their colour exactly, and the fill meets
/// them continuously (a harmonic function takes its boundary values), so no seam appears where the fill starts.
/// </summary>
public static class SmoothFill
{
    /// <summary>Fills the domain texels that are not known.</summary>
    /// <param name="colour">Colours [W x H]; read where <paramref name="known"/>.</param>
    /// <param name="known">Fixed texels [W * H].</param>
    /// <param name="domain">Texels to produce (covered texels) [W * H]; a known texel outside it still guides the fill.</param>
    /// <param name="relaxIterations">Jacobi sweeps after the pyramid.</param>
    /// <returns>Colours: known texels unchanged, domain texels filled, others the pyramid's value.</returns>
    public static RgbImage Fill(RgbImage colour, bool[] known, bool[] domain, int relaxIterations = 40)
    {
        ArgumentNullException.ThrowIfNull(colour);
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(domain);
        int w = colour.Width, h = colour.Height;
        if (known.Length != w * h || domain.Length != w * h) throw new ArgumentException("Masks must have one entry per texel.");
        var weights = known.Select(k => k ? 1f : 0f).ToArray();
        var result = PullPush(colour, weights, w, h);
        for (int t = 0; t < known.Length; t++) if (known[t]) result[t] = colour[t % w, t / w];
        Relax(result, known, domain, w, h, relaxIterations);
        var image = new RgbImage(w, h);
        for (int t = 0; t < result.Length; t++) image[t % w, t / w] = result[t];
        return image;
    }

    private static Vector3[] PullPush(RgbImage colour, float[] weights, int w, int h)
    {
        var values = new Vector3[w * h];
        for (int t = 0; t < values.Length; t++) values[t] = colour[t % w, t / w];
        if (w <= 1 && h <= 1) return values;
        // Pull: the coarser level's weighted means.
        int cw = (w + 1) / 2, ch = (h + 1) / 2;
        var coarse = new RgbImage(cw, ch);
        var coarseWeights = new float[cw * ch];
        for (int y = 0; y < ch; y++)
        for (int x = 0; x < cw; x++)
        {
            var sum = Vector3.Zero;
            float ws = 0;
            for (int dy = 0; dy < 2; dy++)
            for (int dx = 0; dx < 2; dx++)
            {
                int xx = 2 * x + dx, yy = 2 * y + dy;
                if (xx >= w || yy >= h) continue;
                float wt = weights[yy * w + xx];
                sum += wt * values[yy * w + xx];
                ws += wt;
            }
            coarse[x, y] = ws > 0 ? sum / ws : Vector3.Zero;
            coarseWeights[y * cw + x] = Math.Min(1f, ws);
        }
        if (coarseWeights.All(c => c <= 0)) return values;
        var below = PullPush(coarse, coarseWeights, cw, ch);
        var belowImage = new RgbImage(cw, ch);
        for (int t = 0; t < below.Length; t++) belowImage[t % cw, t / cw] = below[t];
        // Push: keep own colour by its weight, the rest from the coarser level.
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int t = y * w + x;
            float wt = Math.Min(1f, weights[t]);
            if (wt >= 1) continue;
            var up = belowImage.SampleBilinear((x + 0.5) / 2, (y + 0.5) / 2);
            values[t] = wt * values[t] + (1 - wt) * up;
        }
        return values;
    }

    private static void Relax(Vector3[] values, bool[] known, bool[] domain, int w, int h, int iterations)
    {
        var next = (Vector3[])values.Clone();
        for (int it = 0; it < iterations; it++)
        {
            Parallel.For(0, h, y =>
            {
                for (int x = 0; x < w; x++)
                {
                    int t = y * w + x;
                    if (known[t] || !domain[t]) { next[t] = values[t]; continue; }
                    var sum = Vector3.Zero;
                    int n = 0;
                    if (x > 0 && domain[t - 1]) { sum += values[t - 1]; n++; }
                    if (x + 1 < w && domain[t + 1]) { sum += values[t + 1]; n++; }
                    if (y > 0 && domain[t - w]) { sum += values[t - w]; n++; }
                    if (y + 1 < h && domain[t + w]) { sum += values[t + w]; n++; }
                    next[t] = n > 0 ? sum / n : values[t];
                }
            });
            (values, next) = (next, values);
        }
        if (iterations % 2 == 1) Array.Copy(values, next, values.Length);
    }
}
