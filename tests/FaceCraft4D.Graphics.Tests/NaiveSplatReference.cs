namespace FaceCraft4D.Graphics.Tests;

/// <summary>
/// Independent per-pixel reference compositor in float64: every pixel walks ALL visible Gaussians sorted by depth
/// (no tiles), with the 3DGS rules. Used to check the tiled kernels, including the transmittance stop.
/// </summary>
internal static class NaiveSplatReference
{
    public static (double[] Image, double[] Alpha) Composite(int width, int height, double[] means2d, double[] conics, double[] opacities,
        double[] colors, int channels, double[] depths, int[] radii, double[] background)
    {
        int n = opacities.Length;
        var order = Enumerable.Range(0, n).Where(i => radii[2 * i] > 0 && radii[2 * i + 1] > 0).OrderBy(i => depths[i]).ThenBy(i => i).ToArray();
        var image = new double[width * height * channels];
        var alpha = new double[width * height];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            double px = x + 0.5, py = y + 0.5, t = 1;
            var acc = new double[channels];
            foreach (int i in order)
            {
                double dx = px - means2d[2 * i], dy = py - means2d[2 * i + 1];
                double sigma = 0.5 * (conics[3 * i] * dx * dx + conics[3 * i + 2] * dy * dy) + conics[3 * i + 1] * dx * dy;
                if (sigma < 0) continue;
                double a = Math.Min(0.99, opacities[i] * Math.Exp(-sigma));
                if (a < 1.0 / 255.0) continue;
                double next = t * (1 - a);
                if (next <= 1e-4) break;
                for (int c = 0; c < channels; c++) acc[c] += a * t * colors[i * channels + c];
                t = next;
            }
            int p = y * width + x;
            for (int c = 0; c < channels; c++) image[p * channels + c] = acc[c] + t * background[c];
            alpha[p] = 1 - t;
        }
        return (image, alpha);
    }
}
