namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>Mean over a (2r+1)^2 window clipped at the image border, via a summed-area table.</summary>
public static class BoxFilter
{
    public static double[] Mean(double[] src, int w, int h, int r)
    {
        var sat = new double[(w + 1) * (h + 1)];
        for (int y = 0; y < h; y++)
        {
            double row = 0;
            for (int x = 0; x < w; x++)
            {
                row += src[y * w + x];
                sat[(y + 1) * (w + 1) + x + 1] = sat[y * (w + 1) + x + 1] + row;
            }
        }
        var dst = new double[w * h];
        for (int y = 0; y < h; y++)
        {
            int y0 = Math.Max(0, y - r), y1 = Math.Min(h - 1, y + r);
            for (int x = 0; x < w; x++)
            {
                int x0 = Math.Max(0, x - r), x1 = Math.Min(w - 1, x + r);
                double s = sat[(y1 + 1) * (w + 1) + x1 + 1] - sat[y0 * (w + 1) + x1 + 1] - sat[(y1 + 1) * (w + 1) + x0] + sat[y0 * (w + 1) + x0];
                dst[y * w + x] = s / ((y1 - y0 + 1) * (x1 - x0 + 1));
            }
        }
        return dst;
    }
}
