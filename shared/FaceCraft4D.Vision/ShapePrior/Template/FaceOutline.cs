using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// The portrait's face as a mask: the polygon of the 68 landmarks' jaw contour (0-16) closed over the brows (26 down
/// to 17), per pixel of the crop (1 inside, 0 outside, pixel centres at +0.5). The projective texture keeps these
/// pixels for the face surface only: where the head model is wider or longer than the face, its neck and the side of
/// its head are visible to the portrait camera at the same pixels as the jaw, and would otherwise repeat the face's
/// outline there (the doubled jaw and pale patches beside the ears of docs/side-view-diagnosis.md).
/// </summary>
public static class FaceOutline
{
    /// <summary>The mask (<paramref name="width"/> x <paramref name="height"/>) from 68 landmarks (x, y interleaved, pixels).</summary>
    public static FloatImage Rasterize(float[] landmarks68, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(landmarks68);
        if (landmarks68.Length != 136) throw new ArgumentException($"Expected 68 x 2 landmark values, got {landmarks68.Length}.", nameof(landmarks68));
        var polygon = Enumerable.Range(0, 17).Concat(Enumerable.Range(17, 10).Reverse())
            .Select(i => (X: (double)landmarks68[2 * i], Y: (double)landmarks68[2 * i + 1]))
            .ToArray();
        var image = new FloatImage(width, height);
        for (int y = 0; y < height; y++)
        {
            double py = y + 0.5;
            for (int x = 0; x < width; x++)
                if (Inside(polygon, x + 0.5, py)) image.Data[y * width + x] = 1;
        }
        return image;
    }

    /// <summary>Even-odd rule.</summary>
    private static bool Inside((double X, double Y)[] polygon, double x, double y)
    {
        bool inside = false;
        for (int i = 0, j = polygon.Length - 1; i < polygon.Length; j = i++)
        {
            var (xi, yi) = polygon[i];
            var (xj, yj) = polygon[j];
            if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
        }
        return inside;
    }

    /// <summary>
    /// The pixels below the jaw contour (iBUG 0-16), between the contour's ends in x: 0 on and above the contour's lowest
    /// crossing of each column, ramping to 1 over <paramref name="feather"/> pixels below it (pixel centres at +0.5). In the
    /// portrait these are the throat, the chin's shadow and the collar; warped onto a head model's neck from the side they
    /// repeat the jaw's outline below the real jaw (the doubled jaw of docs/side-view-diagnosis.md).
    /// </summary>
    public static FloatImage BelowJaw(float[] landmarks68, int width, int height, double feather = 2)
    {
        ArgumentNullException.ThrowIfNull(landmarks68);
        if (landmarks68.Length != 136) throw new ArgumentException($"Expected 68 x 2 landmark values, got {landmarks68.Length}.", nameof(landmarks68));
        var jaw = Enumerable.Range(0, 17).Select(i => (X: (double)landmarks68[2 * i], Y: (double)landmarks68[2 * i + 1])).ToArray();
        double f = Math.Max(feather, 1e-6);
        var image = new FloatImage(width, height);
        for (int x = 0; x < width; x++)
        {
            double px = x + 0.5, lowest = double.NegativeInfinity;
            for (int i = 0; i + 1 < jaw.Length; i++)
            {
                var (a, b) = (jaw[i], jaw[i + 1]);
                if (px < Math.Min(a.X, b.X) || px > Math.Max(a.X, b.X)) continue;
                double y = Math.Abs(b.X - a.X) < 1e-9 ? Math.Max(a.Y, b.Y) : a.Y + (px - a.X) / (b.X - a.X) * (b.Y - a.Y);
                lowest = Math.Max(lowest, y);
            }
            if (double.IsNegativeInfinity(lowest)) continue;
            for (int y = 0; y < height; y++)
                image.Data[y * width + x] = (float)Math.Clamp((y + 0.5 - lowest) / f, 0, 1);
        }
        return image;
    }
}
