using FaceCraft4D.Vision.Preprocessing.Landmarks;

namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>
/// Person layout prior and initial GrabCut labels of a portrait from its landmarks: sure foreground = the face hull (jaw and brows,
/// shrunk towards its centroid), a short neck strip below the chin and a torso column further down; probable foreground = a head ellipse
/// around the face and a body region widening below the chin; sure background = everything else.
/// </summary>
public static class PortraitTrimap
{
    public static TrimapLabel[] Build(int width, int height, FaceLandmarks68 lm, MattingOptions o) =>
        BuildWithPrior(width, height, lm, o).Labels;

    /// <summary>Labels and the per-pixel foreground prior (row-major, 0..1).</summary>
    public static (TrimapLabel[] Labels, float[] Prior) BuildWithPrior(int width, int height, FaceLandmarks68 lm, MattingOptions o)
    {
        var labels = new TrimapLabel[width * height];
        var prior = new float[width * height];
        var hull = ConvexHull(Enumerable.Range(0, 27).Select(i => lm[i]).ToList());
        double hx = hull.Average(p => p.X), hy = hull.Average(p => p.Y);
        var core = hull.Select(p => (hx + (p.X - hx) * o.FaceCoreShrink, hy + (p.Y - hy) * o.FaceCoreShrink)).ToList();

        var head = HeadEllipse.From(lm, o);
        var chin = head.Chin;
        double faceW = head.FaceWidth, faceH = head.FaceHeight;
        double neckTop = chin.Y - 0.2 * faceH, shoulderTop = chin.Y + o.ShoulderStartFactor * faceH;

        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            double rhoHead = head.Radius(x, y);
            double rhoBody = double.PositiveInfinity;
            if (y >= shoulderTop)
                rhoBody = Math.Abs(x - chin.X) / (o.ShoulderHalfWidthFactor * faceW + (y - shoulderTop) * o.ShoulderSlope);
            else if (y >= neckTop)
                rhoBody = Math.Abs(x - chin.X) / (o.NeckHalfWidthFactor * faceW);
            double rho = Math.Min(rhoHead, rhoBody);
            bool inNeck = y >= chin.Y && y <= chin.Y + 0.25 * faceH && Math.Abs(x - chin.X) <= 0.15 * faceW;
            bool inTorso = y >= chin.Y + o.TorsoCoreStartFactor * faceH && Math.Abs(x - chin.X) <= o.TorsoCoreHalfWidthFactor * faceW;
            double p = 1.0 / (1.0 + Math.Exp((rho - 1.0) / o.PriorSoftness));
            p = Math.Clamp(p, 0.05, 0.95);
            int i = y * width + x;
            TrimapLabel l;
            if (Inside(core, x, y) || inNeck || inTorso) { l = TrimapLabel.SureForeground; p = 1; }
            else if (rho <= o.EnvelopeFactor) l = p >= 0.5 ? TrimapLabel.ProbableForeground : TrimapLabel.ProbableBackground;
            else { l = TrimapLabel.SureBackground; p = 0; }
            labels[i] = l;
            prior[i] = (float)p;
        }
        return (labels, prior);
    }

    /// <summary>Andrew monotone-chain convex hull (vertices in order, no repeats).</summary>
    public static List<(double X, double Y)> ConvexHull(List<(double X, double Y)> pts)
    {
        var p = pts.Distinct().OrderBy(a => a.X).ThenBy(a => a.Y).ToList();
        if (p.Count < 3) return p;
        var hull = new List<(double X, double Y)>();
        for (int pass = 0; pass < 2; pass++)
        {
            int start = hull.Count;
            foreach (var q in p)
            {
                while (hull.Count >= start + 2 && Cross(hull[^2], hull[^1], q) <= 0) hull.RemoveAt(hull.Count - 1);
                hull.Add(q);
            }
            hull.RemoveAt(hull.Count - 1);
            p.Reverse();
        }
        return hull;
    }

    private static double Cross((double X, double Y) o, (double X, double Y) a, (double X, double Y) b) =>
        (a.X - o.X) * (b.Y - o.Y) - (a.Y - o.Y) * (b.X - o.X);

    /// <summary>Point in convex polygon (any consistent winding).</summary>
    public static bool Inside(IReadOnlyList<(double X, double Y)> poly, double x, double y)
    {
        if (poly.Count < 3) return false;
        int sign = 0;
        for (int i = 0; i < poly.Count; i++)
        {
            var a = poly[i]; var b = poly[(i + 1) % poly.Count];
            double c = (b.X - a.X) * (y - a.Y) - (b.Y - a.Y) * (x - a.X);
            int s = Math.Sign(c);
            if (s == 0) continue;
            if (sign == 0) sign = s;
            else if (s != sign) return false;
        }
        return true;
    }
}
