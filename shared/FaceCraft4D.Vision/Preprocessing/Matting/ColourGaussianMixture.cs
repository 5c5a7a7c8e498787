namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>
/// Gaussian mixture over RGB colours with full 3x3 covariances (the colour model of GrabCut,
/// Rother, Kolmogorov and Blake 2004). Fitted from hard component assignments; a small diagonal
/// <see cref="Regularisation"/> keeps covariances of flat-coloured regions invertible.
/// </summary>
public sealed class ColourGaussianMixture
{
    public const double Regularisation = 4.0; // colour units^2 added to each variance
    private readonly int k;
    private readonly double[] weight;
    private readonly double[][] mean;      // [k][3]
    private readonly double[][] inverse;   // [k][9] inverse covariance
    private readonly double[] logNorm;     // log(weight) - 0.5 log det - 1.5 log(2 pi)

    public int ComponentCount => k;

    private ColourGaussianMixture(int k)
    {
        this.k = k;
        weight = new double[k]; mean = new double[k][]; inverse = new double[k][]; logNorm = new double[k];
    }

    /// <summary>Fits a mixture to <paramref name="colours"/> (RGB triples) given each sample's component.</summary>
    public static ColourGaussianMixture Fit(IReadOnlyList<(float R, float G, float B)> colours, int[] component, int k)
    {
        var g = new ColourGaussianMixture(k);
        var n = new double[k];
        var sum = new double[k, 3];
        var prod = new double[k, 9];
        for (int i = 0; i < colours.Count; i++)
        {
            int c = component[i];
            var (r, gg, b) = colours[i];
            double[] v = { r, gg, b };
            n[c]++;
            for (int a = 0; a < 3; a++)
            {
                sum[c, a] += v[a];
                for (int bb = 0; bb < 3; bb++) prod[c, a * 3 + bb] += v[a] * v[bb];
            }
        }
        double total = Math.Max(1, colours.Count);
        for (int c = 0; c < k; c++)
        {
            g.mean[c] = new double[3];
            var cov = new double[9];
            if (n[c] == 0)
            {
                g.weight[c] = 0; g.inverse[c] = new double[9]; g.logNorm[c] = double.NegativeInfinity;
                continue;
            }
            for (int a = 0; a < 3; a++) g.mean[c][a] = sum[c, a] / n[c];
            for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                cov[a * 3 + b] = prod[c, a * 3 + b] / n[c] - g.mean[c][a] * g.mean[c][b] + (a == b ? Regularisation : 0);
            double det = Det3(cov);
            g.weight[c] = n[c] / total;
            g.inverse[c] = Inverse3(cov, det);
            g.logNorm[c] = Math.Log(g.weight[c]) - 0.5 * Math.Log(det) - 1.5 * Math.Log(2 * Math.PI);
        }
        return g;
    }

    /// <summary>Log-likelihood of component c at colour (r, g, b), including its mixing weight.</summary>
    public double ComponentLogLikelihood(int c, float r, float g, float b)
    {
        if (double.IsNegativeInfinity(logNorm[c])) return double.NegativeInfinity;
        double dr = r - mean[c][0], dg = g - mean[c][1], db = b - mean[c][2];
        var m = inverse[c];
        double q = dr * (m[0] * dr + m[1] * dg + m[2] * db)
                 + dg * (m[3] * dr + m[4] * dg + m[5] * db)
                 + db * (m[6] * dr + m[7] * dg + m[8] * db);
        return logNorm[c] - 0.5 * q;
    }

    /// <summary>-log p(colour) under the whole mixture (the GrabCut data term).</summary>
    public double NegativeLogLikelihood(float r, float g, float b)
    {
        double max = double.NegativeInfinity;
        Span<double> l = stackalloc double[k];
        for (int c = 0; c < k; c++) { l[c] = ComponentLogLikelihood(c, r, g, b); max = Math.Max(max, l[c]); }
        if (double.IsNegativeInfinity(max)) return 1e3;
        double s = 0;
        for (int c = 0; c < k; c++) s += Math.Exp(l[c] - max);
        return -(max + Math.Log(s));
    }

    /// <summary>The most likely component for a colour.</summary>
    public int MostLikelyComponent(float r, float g, float b)
    {
        int best = 0; double bestL = double.NegativeInfinity;
        for (int c = 0; c < k; c++)
        {
            double l = ComponentLogLikelihood(c, r, g, b);
            if (l > bestL) { bestL = l; best = c; }
        }
        return best;
    }

    private static double Det3(double[] m) =>
        m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);

    private static double[] Inverse3(double[] m, double det)
    {
        double id = 1.0 / det;
        return new[]
        {
            (m[4] * m[8] - m[5] * m[7]) * id, (m[2] * m[7] - m[1] * m[8]) * id, (m[1] * m[5] - m[2] * m[4]) * id,
            (m[5] * m[6] - m[3] * m[8]) * id, (m[0] * m[8] - m[2] * m[6]) * id, (m[2] * m[3] - m[0] * m[5]) * id,
            (m[3] * m[7] - m[4] * m[6]) * id, (m[1] * m[6] - m[0] * m[7]) * id, (m[0] * m[4] - m[1] * m[3]) * id,
        };
    }
}
