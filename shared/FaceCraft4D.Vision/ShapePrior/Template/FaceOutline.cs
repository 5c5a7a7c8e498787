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
}
