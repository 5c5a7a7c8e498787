namespace FaceCraft4D.Vision.Preprocessing.Imaging;

/// <summary>
/// 2D similarity transform p' = s R(theta) p + t, stored as x' = A x - B y + Tx, y' = B x + A y + Ty
/// with A = s cos(theta), B = s sin(theta). Image coordinates (x right, y down).
/// </summary>
public readonly record struct SimilarityMap(double A, double B, double Tx, double Ty)
{
    public static SimilarityMap Identity => new(1, 0, 0, 0);

    public double Scale => Math.Sqrt(A * A + B * B);

    /// <summary>Rotation angle in degrees (positive = clockwise on screen, since y points down).</summary>
    public double AngleDegrees => Math.Atan2(B, A) * 180.0 / Math.PI;

    public (double X, double Y) Apply(double x, double y) => (A * x - B * y + Tx, B * x + A * y + Ty);

    public SimilarityMap Inverse()
    {
        double d = A * A + B * B;
        if (d <= 0) throw new InvalidOperationException("degenerate similarity transform");
        double ia = A / d, ib = -B / d;
        // x = ia (x' - Tx) - ib (y' - Ty); y = ib (x' - Tx) + ia (y' - Ty)
        return new SimilarityMap(ia, ib, -(ia * Tx - ib * Ty), -(ib * Tx + ia * Ty));
    }

    /// <summary>this after <paramref name="first"/>: p -> this(first(p)).</summary>
    public SimilarityMap After(SimilarityMap first) => new(
        A * first.A - B * first.B,
        B * first.A + A * first.B,
        A * first.Tx - B * first.Ty + Tx,
        B * first.Tx + A * first.Ty + Ty);

    /// <summary>
    /// Least-squares similarity mapping <paramref name="from"/> onto <paramref name="to"/> (closed form:
    /// centre both sets, A = sum(x.x')/sum|x|^2, B = sum(x cross x')/sum|x|^2).
    /// </summary>
    public static SimilarityMap Estimate(IReadOnlyList<(double X, double Y)> from, IReadOnlyList<(double X, double Y)> to)
    {
        if (from.Count != to.Count || from.Count < 2) throw new ArgumentException("need at least two point pairs of equal count");
        double mx = 0, my = 0, nx = 0, ny = 0;
        for (int i = 0; i < from.Count; i++) { mx += from[i].X; my += from[i].Y; nx += to[i].X; ny += to[i].Y; }
        mx /= from.Count; my /= from.Count; nx /= to.Count; ny /= to.Count;
        double sxx = 0, dot = 0, cross = 0;
        for (int i = 0; i < from.Count; i++)
        {
            double px = from[i].X - mx, py = from[i].Y - my, qx = to[i].X - nx, qy = to[i].Y - ny;
            sxx += px * px + py * py;
            dot += px * qx + py * qy;
            cross += px * qy - py * qx;
        }
        if (sxx <= 1e-12) throw new ArgumentException("source points coincide");
        double a = dot / sxx, b = cross / sxx;
        return new SimilarityMap(a, b, nx - (a * mx - b * my), ny - (b * mx + a * my));
    }
}
