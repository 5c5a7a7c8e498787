namespace FaceCraft4D.Vision.Preprocessing.Imaging;

/// <summary>
/// Resamples a square window of a source image to an S x S planar float image with an antialiasing
/// triangle (tent) filter, separably. Source pixels outside <c>valid</c> count as black (0), which is
/// exactly "pad with zeros, then resize" as face-api.js prepares network inputs.
/// </summary>
public static class SquareResampler
{
    /// <param name="src">source image</param>
    /// <param name="x0">source x of the window's left edge (may be negative)</param>
    /// <param name="y0">source y of the window's top edge</param>
    /// <param name="side">window side in source pixels</param>
    /// <param name="outSize">output side S</param>
    /// <param name="valid">integer source rectangle whose pixels are used; others read as 0</param>
    /// <returns>planar [3, S, S] values 0..255</returns>
    public static float[] Resample(RgbImageBuffer src, double x0, double y0, double side, int outSize, PixelRect valid)
    {
        valid = valid.Intersect(new PixelRect(0, 0, src.Width, src.Height));
        double scale = outSize / side; // output pixels per source pixel
        var wx = Weights(x0, scale, outSize, valid.X, valid.X + valid.Width);
        var wy = Weights(y0, scale, outSize, valid.Y, valid.Y + valid.Height);
        var result = new float[3 * outSize * outSize];
        var rows = new float[src.Height * outSize]; // horizontal pass result for one channel: [srcY][u]
        for (int c = 0; c < 3; c++)
        {
            int planeOff = c * src.PlaneSize;
            for (int y = valid.Y; y < valid.Y + valid.Height; y++)
            {
                int rowOff = planeOff + y * src.Width;
                for (int u = 0; u < outSize; u++)
                {
                    var (start, w) = wx[u];
                    double acc = 0;
                    for (int k = 0; k < w.Length; k++) acc += w[k] * src.Data[rowOff + start + k];
                    rows[y * outSize + u] = (float)acc;
                }
            }
            int outOff = c * outSize * outSize;
            for (int v = 0; v < outSize; v++)
            {
                var (start, w) = wy[v];
                for (int u = 0; u < outSize; u++)
                {
                    double acc = 0;
                    for (int k = 0; k < w.Length; k++) acc += w[k] * rows[(start + k) * outSize + u];
                    result[outOff + v * outSize + u] = (float)acc;
                }
            }
        }
        return result;
    }

    /// <summary>Per output index: first contributing valid source index and its normalised weights.</summary>
    private static (int Start, double[] W)[] Weights(double origin, double scale, int outSize, int lo, int hi)
    {
        double support = Math.Max(1.0, 1.0 / scale); // tent half-width in source pixels
        var table = new (int, double[])[outSize];
        for (int u = 0; u < outSize; u++)
        {
            double centre = origin + (u + 0.5) / scale - 0.5; // source pixel-centre coordinate
            int first = (int)Math.Floor(centre - support) + 1;
            int last = (int)Math.Ceiling(centre + support) - 1;
            double total = 0;
            for (int i = first; i <= last; i++) total += Math.Max(0, 1 - Math.Abs(i - centre) / support);
            int a = Math.Max(first, lo), b = Math.Min(last, hi - 1);
            if (b < a || total <= 0) { table[u] = (Math.Clamp(lo, lo, Math.Max(lo, hi - 1)), Array.Empty<double>()); continue; }
            var w = new double[b - a + 1];
            for (int i = a; i <= b; i++) w[i - a] = Math.Max(0, 1 - Math.Abs(i - centre) / support) / total;
            table[u] = (a, w);
        }
        return table;
    }
}
