namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>k-means++ clustering of RGB colours with a fixed seed (initial GMM components of GrabCut).</summary>
public static class ColourKMeans
{
    public static int[] Cluster(IReadOnlyList<(float R, float G, float B)> colours, int k, int iterations, int seed)
    {
        int n = colours.Count;
        var labels = new int[n];
        if (n == 0) return labels;
        var rng = new Random(seed);
        var centres = new List<(double R, double G, double B)>();
        var first = colours[rng.Next(n)];
        centres.Add((first.R, first.G, first.B));
        var d2 = new double[n];
        while (centres.Count < k)
        {
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                d2[i] = centres.Min(c => Sq(colours[i], c));
                total += d2[i];
            }
            if (total <= 0) break; // fewer distinct colours than k
            double pick = rng.NextDouble() * total;
            int chosen = n - 1;
            for (int i = 0; i < n; i++) { pick -= d2[i]; if (pick <= 0) { chosen = i; break; } }
            centres.Add((colours[chosen].R, colours[chosen].G, colours[chosen].B));
        }
        for (int it = 0; it < iterations; it++)
        {
            bool changed = false;
            for (int i = 0; i < n; i++)
            {
                int best = 0; double bd = double.MaxValue;
                for (int c = 0; c < centres.Count; c++)
                {
                    double d = Sq(colours[i], centres[c]);
                    if (d < bd) { bd = d; best = c; }
                }
                if (labels[i] != best) { labels[i] = best; changed = true; }
            }
            var sum = new double[centres.Count, 4];
            for (int i = 0; i < n; i++)
            {
                sum[labels[i], 0] += colours[i].R; sum[labels[i], 1] += colours[i].G; sum[labels[i], 2] += colours[i].B; sum[labels[i], 3]++;
            }
            for (int c = 0; c < centres.Count; c++)
                if (sum[c, 3] > 0) centres[c] = (sum[c, 0] / sum[c, 3], sum[c, 1] / sum[c, 3], sum[c, 2] / sum[c, 3]);
            if (!changed && it > 0) break;
        }
        return labels;
    }

    private static double Sq((float R, float G, float B) a, (double R, double G, double B) c)
    {
        double dr = a.R - c.R, dg = a.G - c.G, db = a.B - c.B;
        return dr * dr + dg * dg + db * db;
    }
}
