using FaceCraft4D.Vision.Preprocessing.Imaging;

namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>
/// Guided filter with a colour guide (He, Sun, Tang, "Guided Image Filtering", ECCV 2010 / TPAMI 2013):
/// q = a^T I + b with per-window a = (Sigma_I + eps U)^-1 cov(I, p), b = mean(p) - a^T mean(I),
/// averaged over windows. Applied to a hard mask it yields a soft alpha that follows colour edges
/// (hair strands, blurred boundaries). Guide colours are scaled to 0..1.
/// </summary>
public static class ColourGuidedFilter
{
    public static double[] Apply(RgbImageBuffer guide, double[] p, int radius, double eps)
    {
        int w = guide.Width, h = guide.Height, n = w * h;
        var I = new double[3][];
        for (int c = 0; c < 3; c++)
        {
            I[c] = new double[n];
            for (int i = 0; i < n; i++) I[c][i] = guide.Data[c * n + i] / 255.0;
        }
        var meanI = I.Select(ch => BoxFilter.Mean(ch, w, h, radius)).ToArray();
        var meanP = BoxFilter.Mean(p, w, h, radius);
        var covIp = new double[3][];
        for (int c = 0; c < 3; c++)
        {
            var prod = new double[n];
            for (int i = 0; i < n; i++) prod[i] = I[c][i] * p[i];
            var m = BoxFilter.Mean(prod, w, h, radius);
            covIp[c] = new double[n];
            for (int i = 0; i < n; i++) covIp[c][i] = m[i] - meanI[c][i] * meanP[i];
        }
        // var(I) entries: rr, rg, rb, gg, gb, bb
        (int A, int B)[] pairs = { (0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2) };
        var varI = new double[6][];
        for (int k = 0; k < 6; k++)
        {
            var (a, b) = pairs[k];
            var prod = new double[n];
            for (int i = 0; i < n; i++) prod[i] = I[a][i] * I[b][i];
            var m = BoxFilter.Mean(prod, w, h, radius);
            varI[k] = new double[n];
            for (int i = 0; i < n; i++) varI[k][i] = m[i] - meanI[a][i] * meanI[b][i];
        }
        var coefA = new double[3][] { new double[n], new double[n], new double[n] };
        var coefB = new double[n];
        for (int i = 0; i < n; i++)
        {
            double rr = varI[0][i] + eps, rg = varI[1][i], rb = varI[2][i], gg = varI[3][i] + eps, gb = varI[4][i], bb = varI[5][i] + eps;
            // inverse of the symmetric 3x3 [[rr rg rb][rg gg gb][rb gb bb]]
            double i00 = gg * bb - gb * gb, i01 = gb * rb - rg * bb, i02 = rg * gb - gg * rb;
            double i11 = rr * bb - rb * rb, i12 = rb * rg - rr * gb, i22 = rr * gg - rg * rg;
            double det = rr * i00 + rg * i01 + rb * i02;
            double c0 = covIp[0][i], c1 = covIp[1][i], c2 = covIp[2][i];
            double a0 = (i00 * c0 + i01 * c1 + i02 * c2) / det;
            double a1 = (i01 * c0 + i11 * c1 + i12 * c2) / det;
            double a2 = (i02 * c0 + i12 * c1 + i22 * c2) / det;
            coefA[0][i] = a0; coefA[1][i] = a1; coefA[2][i] = a2;
            coefB[i] = meanP[i] - a0 * meanI[0][i] - a1 * meanI[1][i] - a2 * meanI[2][i];
        }
        var meanA = coefA.Select(ch => BoxFilter.Mean(ch, w, h, radius)).ToArray();
        var meanB = BoxFilter.Mean(coefB, w, h, radius);
        var q = new double[n];
        for (int i = 0; i < n; i++)
            q[i] = meanA[0][i] * I[0][i] + meanA[1][i] * I[1][i] + meanA[2][i] * I[2][i] + meanB[i];
        return q;
    }
}
