using System.Numerics;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// The neck (and collar) the portrait shows, carried around the back and down to the end of the mesh: each height
/// band (<c>bandHeight</c> metres of world y) takes the mean colour of the seen neck texels in it, bands without any
/// take the nearest band that has some (so the lowest visible band, the torso at the crop's edge, extends down),
/// and the band colours are averaged over <c>smoothing</c> metres up and down (a window kept symmetric at the ends,
/// so a linear change with height passes unchanged) to keep a collar's folds from turning into stripes; then the seen texels' differences from their band colour are spread by a membrane (<see cref="SmoothFill"/>) and
/// added back. The fill therefore equals the seen colours at the seam with them (no step) and, away from it,
/// follows the colour of the visible neck at the same height instead of a single median.
/// </summary>
public static class NeckExtension
{
    /// <summary>Extends the seen neck texels over the domain.</summary>
    /// <param name="colour">Colours [W x H], read at the seeds.</param>
    /// <param name="seeds">Seen neck texels [W * H].</param>
    /// <param name="domain">Texels to fill [W * H].</param>
    /// <param name="heights">World height (y, metres) per texel [W * H].</param>
    /// <param name="bandHeight">Height of the colour bands, metres.</param>
    /// <param name="smoothing">Half-height of the window the band colours are averaged over, metres.</param>
    public static RgbImage Extend(RgbImage colour, bool[] seeds, bool[] domain, float[] heights, float bandHeight = 0.004f, float smoothing = 0.008f)
    {
        ArgumentNullException.ThrowIfNull(colour);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(heights);
        int w = colour.Width, count = w * colour.Height;
        if (seeds.Length != count || domain.Length != count || heights.Length != count) throw new ArgumentException("Arrays must have one entry per texel.");
        if (!seeds.Any(s => s)) throw new ArgumentException("The neck extension needs at least one seen texel.", nameof(seeds));
        if (bandHeight <= 0) throw new ArgumentOutOfRangeException(nameof(bandHeight));

        float low = float.MaxValue, high = float.MinValue;
        for (int t = 0; t < count; t++)
        {
            if (!seeds[t] && !domain[t]) continue;
            low = Math.Min(low, heights[t]);
            high = Math.Max(high, heights[t]);
        }
        int bands = Math.Max(1, (int)Math.Ceiling((high - low) / bandHeight) + 1);
        int Band(float y) => Math.Clamp((int)((y - low) / bandHeight), 0, bands - 1);
        var sum = new Vector3[bands];
        var n = new int[bands];
        for (int t = 0; t < count; t++)
        {
            if (!seeds[t]) continue;
            int b = Band(heights[t]);
            sum[b] += colour[t % w, t / w];
            n[b]++;
        }
        var band = new Vector3[bands];
        for (int b = 0; b < bands; b++)
        {
            if (n[b] > 0) { band[b] = sum[b] / n[b]; continue; }
            for (int d = 1; d < bands; d++)
            {
                if (b - d >= 0 && n[b - d] > 0) { band[b] = sum[b - d] / n[b - d]; break; }
                if (b + d < bands && n[b + d] > 0) { band[b] = sum[b + d] / n[b + d]; break; }
            }
        }

        int radius = Math.Max(0, (int)Math.Round(smoothing / bandHeight));
        if (radius > 0)
        {
            var smoothed = new Vector3[bands];
            for (int b = 0; b < bands; b++)
            {
                int r = Math.Min(radius, Math.Min(b, bands - 1 - b));
                var total = Vector3.Zero;
                for (int k = b - r; k <= b + r; k++) total += band[k];
                smoothed[b] = total / (2 * r + 1);
            }
            band = smoothed;
        }

        // Residuals of the seen texels from their band colour, spread smoothly, added back.
        var residual = new RgbImage(w, colour.Height);
        for (int t = 0; t < count; t++)
            if (seeds[t]) residual[t % w, t / w] = colour[t % w, t / w] - band[Band(heights[t])];
        var spread = SmoothFill.Fill(residual, seeds, domain);
        var result = new RgbImage(w, colour.Height);
        for (int t = 0; t < count; t++)
        {
            if (!seeds[t] && !domain[t]) continue;
            int x = t % w, y = t / w;
            result[x, y] = seeds[t] ? colour[x, y] : Vector3.Clamp(band[Band(heights[t])] + spread[x, y], Vector3.Zero, Vector3.One);
        }
        return result;
    }
}
