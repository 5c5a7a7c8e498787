namespace FaceCraft4D.Vision.Video;

/// <summary>The size decoded frames come out at: aspect kept, longer side at most a bound, never upscaled, even sides.</summary>
public static class FrameGeometry
{
    /// <summary>
    /// The output size of a <paramref name="width"/> x <paramref name="height"/> picture (displayed, i.e. after rotation)
    /// whose longer side may be at most <paramref name="maxSide"/>: scaled down when larger (never up), then each side
    /// rounded down to an even number (at least 2), as yuv420p encoders need.
    /// </summary>
    public static (int Width, int Height) Fit(int width, int height, int maxSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 2);
        var scale = Math.Min(1.0, maxSide / (double)Math.Max(width, height));
        return (Even(width * scale), Even(height * scale));

        static int Even(double side) => Math.Max(2, (int)Math.Floor(Math.Round(side, 6) / 2) * 2);
    }
}
