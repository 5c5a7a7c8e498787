namespace FaceCraft4D.Vision.Preprocessing.Imaging;

/// <summary>Clockwise rotation of a photo by a multiple of 90 degrees, as an exact pixel permutation and as a map.</summary>
public static class QuarterTurn
{
    /// <summary>Map from original pixel coordinates to coordinates in the turned image (pixel centres at integers).</summary>
    public static SimilarityMap Map(int degreesClockwise, int width, int height) => Normalise(degreesClockwise) switch
    {
        0 => SimilarityMap.Identity,
        90 => new SimilarityMap(0, 1, height - 1, 0),             // (x, y) -> (H-1-y, x)
        180 => new SimilarityMap(-1, 0, width - 1, height - 1),    // (x, y) -> (W-1-x, H-1-y)
        270 => new SimilarityMap(0, -1, 0, width - 1),             // (x, y) -> (y, W-1-x)
        _ => throw new InvalidOperationException(),
    };

    public static RgbImageBuffer Rotate(RgbImageBuffer src, int degreesClockwise)
    {
        int deg = Normalise(degreesClockwise);
        if (deg == 0) return src;
        int w = src.Width, h = src.Height;
        int ow = deg == 180 ? w : h, oh = deg == 180 ? h : w;
        var map = Map(deg, w, h);
        var dst = new RgbImageBuffer(ow, oh);
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            var (u, v) = map.Apply(x, y);
            int ui = (int)Math.Round(u), vi = (int)Math.Round(v);
            for (int c = 0; c < 3; c++) dst[c, vi, ui] = src[c, y, x];
        }
        return dst;
    }

    private static int Normalise(int d)
    {
        int n = ((d % 360) + 360) % 360;
        if (n % 90 != 0) throw new ArgumentException("only multiples of 90 degrees", nameof(d));
        return n;
    }
}
