namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// The screen region where a projected Gaussian's alpha can reach <see cref="RasterizerOptions.MinAlpha"/>: the ellipse
/// sigma(d) = 0.5 d^T conic d &lt;= ln(opacity / MinAlpha) around its centre, widened by a margin that covers the float
/// rounding of the SIMD CPU kernel's sigma (and its skip test's own 1e-3 margin). Outside it every pixel fails the
/// kernel's skip test (sigma &lt;= skip), so dropping those pixels, or whole tiles, leaves the image and every gradient
/// bit-identical. A radius of 3.33 sigma (the radius box) corresponds to opacity 1; fainter Gaussians reach less far.
/// Computed in double. Not valid (use the radius box) when the conic is not positive definite or MinAlpha is 0.
/// </summary>
internal readonly struct AlphaFootprint
{
    private readonly double _mx, _my, _a, _b, _c, _det, _r2;
    // Computed once (0 when not bounded): half extents and the row offset of the leftmost point (see PixelRangeOnRows).
    private readonly double _hx, _hy, _yExtreme;

    /// <summary>True when the footprint is a bounded ellipse; false = no bound beyond the radius box.</summary>
    public bool IsBounded { get; }

    /// <summary>True when no pixel can reach MinAlpha (opacity too small): the Gaussian touches nothing.</summary>
    public bool IsEmpty { get; }

    /// <param name="mx">Centre x (pixels).</param>
    /// <param name="my">Centre y (pixels).</param>
    /// <param name="a">Conic xx.</param>
    /// <param name="b">Conic xy.</param>
    /// <param name="c">Conic yy.</param>
    /// <param name="opacity">Opacity (after activation).</param>
    /// <param name="minAlpha">The skip threshold (<see cref="RasterizerOptions.MinAlpha"/>).</param>
    /// <param name="coordinateScale">Largest pixel coordinate magnitude the kernel works with (image width + height): bounds the rounding of its centre offsets.</param>
    public AlphaFootprint(double mx, double my, double a, double b, double c, double opacity, double minAlpha, double coordinateScale)
    {
        _mx = mx; _my = my; _a = a; _b = b; _c = c;
        _det = a * c - b * b;
        IsBounded = minAlpha > 0 && a > 0 && c > 0 && _det > 0 && double.IsFinite(_det) && double.IsFinite(mx) && double.IsFinite(my);
        if (!IsBounded || !(opacity > 0))
        {
            IsEmpty = IsBounded; // opacity <= 0: the kernel's skip sigma is -infinity
            return;
        }
        // The kernel's skip sigma: ln(o) - ln(MinAlpha) + 1e-3.
        double skip = Math.Log(opacity) - Math.Log(minAlpha) + 1e-3;
        if (skip < 0)
        {
            IsEmpty = true;
            return;
        }
        // Margin for the kernel's float32 sigma: a few ulp of the magnitude of its terms (bounded over the ellipse by the
        // conic's condition, at most 4ac / det), plus the rounding of the centre offsets times sigma's gradient (at most
        // sqrt(2 skip (a + c)) <= skip + (a + c) / 2), plus an absolute 2e-3.
        double condition = 4 * a * c / _det;
        double gradient = skip + 0.5 * (a + c);
        double positionError = 5e-7 * (Math.Abs(mx) + Math.Abs(my) + coordinateScale + 64);
        double margin = 2e-3 + 1e-5 * skip + 2e-6 * condition * skip + gradient * positionError;
        _r2 = 2 * (skip + margin);
        _hx = Math.Sqrt(_r2 * _c / _det);
        _hy = Math.Sqrt(_r2 * _a / _det);
        _yExtreme = _b * Math.Sqrt(_r2 / (_c * _det));
    }

    /// <summary>Half extents of the ellipse's axis-aligned bounding box (pixels).</summary>
    public (double X, double Y) HalfExtents => (_hx, _hy);

    /// <summary>
    /// Integer pixel range [x0, x1] (pixel centres x + 0.5) the ellipse can reach on the image rows whose centres lie in
    /// [rowCentre0, rowCentre1]; empty (x0 &gt; x1) when it does not reach that band.
    /// </summary>
    public (int X0, int X1) PixelRangeOnRows(double rowCentre0, double rowCentre1)
    {
        double ry = _hy;
        double lo = Math.Max(rowCentre0 - _my, -ry), hi = Math.Min(rowCentre1 - _my, ry);
        if (lo > hi) return (1, 0);
        // The left boundary x(dy) = (-b dy - sqrt(a r2 - det dy^2)) / a is convex, the right one concave: their extremes over
        // the band are at the band point nearest the ellipse's own leftmost / rightmost point (dy = +-b r / sqrt(c det)).
        double yExtreme = _yExtreme;
        double yl = Math.Clamp(yExtreme, lo, hi), yr = Math.Clamp(-yExtreme, lo, hi);
        double xl = (-_b * yl - Math.Sqrt(Math.Max(0, _a * _r2 - _det * yl * yl))) / _a;
        double xr = (-_b * yr + Math.Sqrt(Math.Max(0, _a * _r2 - _det * yr * yr))) / _a;
        // Pixel i is reached when xl <= i + 0.5 - mx <= xr (the margin in sigma dwarfs the double rounding here).
        return (ClampInt(Math.Ceiling(_mx + xl - 0.5)), ClampInt(Math.Floor(_mx + xr - 0.5)));
    }

    /// <summary>Integer pixel bounding box [X0, X1] x [Y0, Y1] of the ellipse (pixels whose centre it contains).</summary>
    public (int X0, int X1, int Y0, int Y1) PixelBox
    {
        get
        {
            var (hx, hy) = HalfExtents;
            return (ClampInt(Math.Ceiling(_mx - hx - 0.5)), ClampInt(Math.Floor(_mx + hx - 0.5)),
                ClampInt(Math.Ceiling(_my - hy - 0.5)), ClampInt(Math.Floor(_my + hy - 0.5)));
        }
    }

    private static int ClampInt(double v) => (int)Math.Clamp(v, -1e9, 1e9);
}
