namespace FaceCraft4D.Metrics.Tests.Pixel;

/// <summary>
/// Independent float64 SSIM written as plain loops straight from Wang et al. 2004 (2-D Gaussian window applied
/// directly, no separable filtering, no tensors), used to check the TorchSharp implementation.
/// Images are [C][H][W] flattened.
/// </summary>
internal static class SsimReference
{
    public static (double Ssim, double Cs) Channel(double[] x, double[] y, int h, int w, int win = 11, double sigma = 1.5, double l = 1, double k1 = 0.01, double k2 = 0.03)
    {
        var g = new double[win, win];
        double c = (win - 1) / 2.0, total = 0;
        for (int i = 0; i < win; i++)
        for (int j = 0; j < win; j++)
            total += g[i, j] = Math.Exp(-((i - c) * (i - c) + (j - c) * (j - c)) / (2 * sigma * sigma));
        double c1 = (k1 * l) * (k1 * l), c2 = (k2 * l) * (k2 * l);
        double sumS = 0, sumCs = 0;
        int count = 0;
        for (int y0 = 0; y0 + win <= h; y0++)
        for (int x0 = 0; x0 + win <= w; x0++)
        {
            double mx = 0, my = 0;
            for (int i = 0; i < win; i++)
            for (int j = 0; j < win; j++)
            {
                double wt = g[i, j] / total;
                mx += wt * x[(y0 + i) * w + x0 + j];
                my += wt * y[(y0 + i) * w + x0 + j];
            }
            double vx = 0, vy = 0, cxy = 0;
            for (int i = 0; i < win; i++)
            for (int j = 0; j < win; j++)
            {
                double wt = g[i, j] / total;
                double dx = x[(y0 + i) * w + x0 + j] - mx, dy = y[(y0 + i) * w + x0 + j] - my;
                vx += wt * dx * dx; vy += wt * dy * dy; cxy += wt * dx * dy;
            }
            double cs = (2 * cxy + c2) / (vx + vy + c2);
            sumCs += cs;
            sumS += (2 * mx * my + c1) / (mx * mx + my * my + c1) * cs;
            count++;
        }
        return (sumS / count, sumCs / count);
    }

    /// <summary>Mean SSIM over channels of one image [3][h][w].</summary>
    public static double Image(double[] x, double[] y, int h, int w)
    {
        double s = 0;
        for (int ch = 0; ch < 3; ch++)
            s += Channel(x.AsSpan(ch * h * w, h * w).ToArray(), y.AsSpan(ch * h * w, h * w).ToArray(), h, w).Ssim;
        return s / 3;
    }

    /// <summary>5-scale MS-SSIM with 2×2 mean pooling (odd trailing row/column kept as partial cells), per channel, averaged.</summary>
    public static double MultiScale(double[] x, double[] y, int h, int w, double[] weights)
    {
        double total = 0;
        for (int ch = 0; ch < 3; ch++)
        {
            var a = x.AsSpan(ch * h * w, h * w).ToArray();
            var b = y.AsSpan(ch * h * w, h * w).ToArray();
            int hh = h, ww = w;
            double prod = 1;
            for (int j = 0; j < weights.Length; j++)
            {
                var (s, cs) = Channel(a, b, hh, ww);
                prod *= Math.Pow(Math.Max(0, j == weights.Length - 1 ? s : cs), weights[j]);
                if (j < weights.Length - 1) { (a, _, _) = Pool(a, hh, ww); (b, hh, ww) = Pool(b, hh, ww); }
            }
            total += prod;
        }
        return total / 3;
    }

    private static (double[] Out, int H, int W) Pool(double[] a, int h, int w)
    {
        int oh = (h + 1) / 2, ow = (w + 1) / 2;
        var o = new double[oh * ow];
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            double sum = 0;
            int n = 0;
            for (int di = 0; di < 2; di++)
            for (int dj = 0; dj < 2; dj++)
                if (2 * i + di < h && 2 * j + dj < w) { sum += a[(2 * i + di) * w + 2 * j + dj]; n++; }
            o[i * ow + j] = sum / n;
        }
        return (o, oh, ow);
    }
}
