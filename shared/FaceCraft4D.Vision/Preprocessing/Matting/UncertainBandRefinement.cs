using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;

namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>
/// Decides the selfie net's uncertain pixels (UncertainLow &lt; p &lt; UncertainHigh) by colour, with the net's
/// probability as a prior that fades with the distance from the face: a textured background the net half-takes for hair
/// (drawings, posterised tracings) is rejected, hair next to the head is kept. A graph cut with GrabCut's colour
/// mixtures (<see cref="GrabCutSegmenter"/>) over the crop (downscaled to <see cref="SelfieRefinementOptions.WorkingSize"/>):
/// sure foreground = the face core and the confident person pixels (p &gt;= UncertainHigh); sure background =
/// p &lt;= UncertainLow; the uncertain pixels are decided by the colour models (fitted to both sides, refitted each
/// round) plus PriorWeight * -log(prior), prior = p within <see cref="SelfieRefinementOptions.HairReach"/> of the
/// <see cref="HeadEllipse"/> (or at/below the chin) and p * exp(-(rho - reach) / falloff) beyond it, clamped to
/// [PriorFloor, 1 - PriorFloor] so that a clear colour difference still decides.
/// Pixels that are sure keep their own label at full size; only the open ones take the (upsampled) cut.
/// </summary>
public sealed class UncertainBandRefinement
{
    private readonly SelfieRefinementOptions options;
    private readonly MattingOptions layout;

    public UncertainBandRefinement(SelfieRefinementOptions options, MattingOptions layout)
    {
        this.options = options; this.layout = layout;
    }

    /// <summary>Per-pixel label of the refinement at full size.</summary>
    public enum Decision : byte { SureBackground, SureForeground, Open }

    /// <summary>What each pixel is before the cut (sure by the net and the face geometry, or open) and its prior.</summary>
    public (Decision[] Decisions, float[] Prior) Classify(double[] p, bool[] seeds, int w, int h, HeadEllipse head)
    {
        var decisions = new Decision[w * h];
        var prior = new float[w * h];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int i = y * w + x;
            double rho = head.Radius(x, y);
            bool withinReach = y >= head.ChinY || rho <= options.HairReach;
            double pr = withinReach ? p[i] : p[i] * Math.Exp(-(rho - options.HairReach) / options.ReachFalloff);
            prior[i] = (float)Math.Clamp(pr, options.PriorFloor, 1 - options.PriorFloor);
            decisions[i] = seeds[i] || p[i] >= options.UncertainHigh ? Decision.SureForeground
                : p[i] <= options.UncertainLow ? Decision.SureBackground
                : Decision.Open;
        }
        return (decisions, prior);
    }

    /// <summary>
    /// The refined hard person mask (before the components not touching the face are dropped) and the open pixels the
    /// cut gave to the background (Rejected: their alpha is 0, the boundary's soft band does not spread into them).
    /// Open pixels enclosed by the person (not connected to the crop's border through background) stay person.
    /// </summary>
    /// <param name="crop">the aligned crop [3, h, w], 0..255</param>
    /// <param name="p">the net's person probability at crop size (row-major)</param>
    /// <param name="seeds">the landmark face core (always person)</param>
    public (bool[] Mask, bool[] Rejected) Refine(RgbImageBuffer crop, FaceLandmarks68 landmarks, double[] p, bool[] seeds, CancellationToken ct)
    {
        int w = crop.Width, h = crop.Height, n = w * h;
        var head = HeadEllipse.From(landmarks, layout);
        var (decisions, prior) = Classify(p, seeds, w, h, head);
        var mask = new bool[n];
        bool anyOpen = false, anyFg = false, anyBg = false;
        for (int i = 0; i < n; i++)
        {
            mask[i] = decisions[i] == Decision.SureForeground || (decisions[i] == Decision.Open && prior[i] >= 0.5);
            anyOpen |= decisions[i] == Decision.Open;
            anyFg |= mask[i];
            anyBg |= !mask[i];
        }
        var none = new bool[n];
        if (!anyOpen || !anyFg || !anyBg) return (mask, none); // nothing to decide, or GrabCut would have no model for one side

        int side = Math.Max(w, h), ws = Math.Min(options.WorkingSize, side);
        double scale = (double)ws / side;
        RgbImageBuffer small = ws == side && w == h ? crop
            : new RgbImageBuffer(ws, ws, SquareResampler.Resample(crop, 0, 0, side, ws, new PixelRect(0, 0, w, h)));
        // working labels from the full-size classes at the nearest full-size pixel (sure classes are large regions)
        var trimap = new TrimapLabel[ws * ws];
        var smallPrior = new float[ws * ws];
        for (int v = 0; v < ws; v++)
        for (int u = 0; u < ws; u++)
        {
            int x = Math.Clamp((int)Math.Round((u + 0.5) / scale - 0.5), 0, w - 1), y = Math.Clamp((int)Math.Round((v + 0.5) / scale - 0.5), 0, h - 1);
            int i = y * w + x, j = v * ws + u;
            smallPrior[j] = prior[i];
            trimap[j] = decisions[i] switch
            {
                Decision.SureForeground => TrimapLabel.SureForeground,
                Decision.SureBackground => TrimapLabel.SureBackground,
                _ => prior[i] >= 0.5 ? TrimapLabel.ProbableForeground : TrimapLabel.ProbableBackground,
            };
        }
        bool Fg(TrimapLabel l) => l is TrimapLabel.SureForeground or TrimapLabel.ProbableForeground;
        if (!trimap.Any(Fg) || trimap.All(Fg)) return (mask, none);
        var cut = new GrabCutSegmenter(options.GrabCut).Segment(small, trimap, ct, smallPrior, options.PriorWeight);
        ct.ThrowIfCancellationRequested();

        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int i = y * w + x;
            if (decisions[i] != Decision.Open) continue;
            double u = Math.Clamp((x + 0.5) * scale - 0.5, 0, ws - 1), v = Math.Clamp((y + 0.5) * scale - 0.5, 0, ws - 1);
            int u0 = (int)Math.Floor(u), v0 = (int)Math.Floor(v), u1 = Math.Min(u0 + 1, ws - 1), v1 = Math.Min(v0 + 1, ws - 1);
            double fu = u - u0, fv = v - v0;
            double F(int a, int b) => Fg(cut[b * ws + a]) ? 1 : 0;
            double value = (F(u0, v0) * (1 - fu) + F(u1, v0) * fu) * (1 - fv) + (F(u0, v1) * (1 - fu) + F(u1, v1) * fu) * fv;
            mask[i] = value >= 0.5;
        }
        // holes: background not connected to the crop's border stays person (dark skin the colours confuse with the background)
        var border = new bool[n];
        for (int x = 0; x < w; x++) { border[x] = true; border[(h - 1) * w + x] = true; }
        for (int y = 0; y < h; y++) { border[y * w] = true; border[y * w + w - 1] = true; }
        var outside = MaskComponents.KeepTouching(mask.Select(m => !m).ToArray(), w, h, border);
        var rejected = new bool[n];
        for (int i = 0; i < n; i++)
        {
            if (!mask[i] && !outside[i]) mask[i] = true;
            rejected[i] = decisions[i] == Decision.Open && !mask[i];
        }
        return (mask, rejected);
    }
}
