using FaceCraft4D.Vision.Preprocessing.Imaging;

namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>
/// GrabCut (Rother, Kolmogorov, Blake, SIGGRAPH 2004): iterated graph cuts with foreground/background RGB
/// Gaussian mixtures. Each round assigns every pixel to the most likely component of its current side's GMM,
/// refits both GMMs, and solves the min-cut of E = sum -log p(colour | side) + sum over 8-neighbours of
/// gamma / dist * exp(-beta |z_m - z_n|^2) [labels differ], beta = 1 / (2 mean |z_m - z_n|^2).
/// Sure labels are hard constraints. Returns the refined labels (probable labels updated).
/// </summary>
public sealed class GrabCutSegmenter
{
    private readonly GrabCutOptions options;

    public GrabCutSegmenter(GrabCutOptions options) => this.options = options;

    /// <param name="foregroundPrior">optional per-pixel P(foreground) (0..1); adds priorWeight * -log(prior) to the data term</param>
    public TrimapLabel[] Segment(RgbImageBuffer image, TrimapLabel[] trimap, CancellationToken ct, float[]? foregroundPrior = null, double priorWeight = 0)
    {
        int w = image.Width, h = image.Height, n = w * h;
        if (trimap.Length != n || (foregroundPrior is not null && foregroundPrior.Length != n)) throw new ArgumentException("trimap size does not match the image", nameof(trimap));
        var labels = (TrimapLabel[])trimap.Clone();
        var colours = new (float R, float G, float B)[n];
        for (int i = 0; i < n; i++) colours[i] = (image.Data[i], image.Data[n + i], image.Data[2 * n + i]);

        bool IsFg(TrimapLabel l) => l is TrimapLabel.SureForeground or TrimapLabel.ProbableForeground;
        if (!labels.Any(IsFg) || labels.All(IsFg))
            throw new ArgumentException("GrabCut needs both foreground and background pixels in the trimap", nameof(trimap));

        var (neighbourWeights, offsets) = SmoothnessWeights(colours, w, h);
        var (fgGmm, bgGmm) = InitialModels(colours, labels, IsFg);
        double lambda = 9 * options.Gamma; // hard-constraint capacity, larger than any smoothness sum
        for (int it = 0; it < options.Iterations; it++)
        {
            ct.ThrowIfCancellationRequested();
            if (it > 0) (fgGmm, bgGmm) = RefitModels(colours, labels, IsFg, fgGmm, bgGmm);
            var graph = new MaxFlowGraph(n);
            for (int i = 0; i < n; i++)
            {
                var (r, g, b) = colours[i];
                switch (labels[i])
                {
                    case TrimapLabel.SureForeground: graph.AddTerminalWeights(i, (float)lambda, 0); break;
                    case TrimapLabel.SureBackground: graph.AddTerminalWeights(i, 0, (float)lambda); break;
                    default:
                        // source = foreground: cutting source->i labels i background and costs -log p_bg.
                        double costBg = bgGmm.NegativeLogLikelihood(r, g, b), costFg = fgGmm.NegativeLogLikelihood(r, g, b);
                        if (foregroundPrior is not null && priorWeight > 0)
                        {
                            double p = Math.Clamp(foregroundPrior[i], 1e-3, 1 - 1e-3);
                            costBg -= priorWeight * Math.Log(1 - p);
                            costFg -= priorWeight * Math.Log(p);
                        }
                        double floor = Math.Min(costBg, costFg); // only the difference matters; keep capacities >= 0
                        graph.AddTerminalWeights(i, (float)(costBg - Math.Min(floor, 0)), (float)(costFg - Math.Min(floor, 0)));
                        break;
                }
            }
            for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                for (int d = 0; d < offsets.Length; d++)
                {
                    int nx = x + offsets[d].Dx, ny = y + offsets[d].Dy;
                    if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                    float wt = neighbourWeights[d][i];
                    graph.AddEdge(i, ny * w + nx, wt, wt);
                }
            }
            graph.Solve(ct);
            int changed = 0;
            for (int i = 0; i < n; i++)
            {
                if (labels[i] is TrimapLabel.SureForeground or TrimapLabel.SureBackground) continue;
                var l = graph.IsSourceSide(i) ? TrimapLabel.ProbableForeground : TrimapLabel.ProbableBackground;
                if (l != labels[i]) { labels[i] = l; changed++; }
            }
            if (it > 0 && changed == 0) break;
        }
        return labels;
    }

    private (float[][] Weights, (int Dx, int Dy)[] Offsets) SmoothnessWeights((float R, float G, float B)[] c, int w, int h)
    {
        (int Dx, int Dy)[] offsets = { (1, 0), (0, 1), (1, 1), (-1, 1) };
        double sum = 0; long count = 0;
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            foreach (var (dx, dy) in offsets)
            {
                int nx = x + dx, ny = y + dy;
                if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                sum += Sq(c[y * w + x], c[ny * w + nx]); count++;
            }
        double beta = sum > 0 ? count / (2 * sum) : 0;
        var weights = new float[offsets.Length][];
        for (int d = 0; d < offsets.Length; d++)
        {
            weights[d] = new float[w * h];
            double dist = Math.Sqrt(offsets[d].Dx * offsets[d].Dx + offsets[d].Dy * offsets[d].Dy);
            for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int nx = x + offsets[d].Dx, ny = y + offsets[d].Dy;
                if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                weights[d][y * w + x] = (float)(options.Gamma / dist * Math.Exp(-beta * Sq(c[y * w + x], c[ny * w + nx])));
            }
        }
        return (weights, offsets);
    }

    private (ColourGaussianMixture Fg, ColourGaussianMixture Bg) InitialModels(
        (float R, float G, float B)[] colours, TrimapLabel[] labels, Func<TrimapLabel, bool> isFg)
    {
        var fg = new List<(float, float, float)>(); var bg = new List<(float, float, float)>();
        for (int i = 0; i < colours.Length; i++) (isFg(labels[i]) ? fg : bg).Add(colours[i]);
        var fgModel = ColourGaussianMixture.Fit(fg, ColourKMeans.Cluster(fg, options.Components, 10, options.Seed), options.Components);
        var bgModel = ColourGaussianMixture.Fit(bg, ColourKMeans.Cluster(bg, options.Components, 10, options.Seed + 1), options.Components);
        return (fgModel, bgModel);
    }

    private (ColourGaussianMixture Fg, ColourGaussianMixture Bg) RefitModels(
        (float R, float G, float B)[] colours, TrimapLabel[] labels, Func<TrimapLabel, bool> isFg,
        ColourGaussianMixture fgOld, ColourGaussianMixture bgOld)
    {
        var fg = new List<(float, float, float)>(); var bg = new List<(float, float, float)>();
        var fgC = new List<int>(); var bgC = new List<int>();
        for (int i = 0; i < colours.Length; i++)
        {
            var (r, g, b) = colours[i];
            if (isFg(labels[i])) { fg.Add(colours[i]); fgC.Add(fgOld.MostLikelyComponent(r, g, b)); }
            else { bg.Add(colours[i]); bgC.Add(bgOld.MostLikelyComponent(r, g, b)); }
        }
        return (ColourGaussianMixture.Fit(fg, fgC.ToArray(), options.Components), ColourGaussianMixture.Fit(bg, bgC.ToArray(), options.Components));
    }

    private static double Sq((float R, float G, float B) a, (float R, float G, float B) b)
    {
        double dr = a.R - b.R, dg = a.G - b.G, db = a.B - b.B;
        return dr * dr + dg * dg + db * db;
    }
}
