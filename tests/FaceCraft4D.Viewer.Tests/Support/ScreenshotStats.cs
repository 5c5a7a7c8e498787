using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Viewer.Tests.Support;

/// <summary>Pixel statistics of screenshots: how much differs from the background, and from another shot.</summary>
public static class ScreenshotStats
{
    /// <summary>Fraction of pixels whose colour is more than 24 levels (any channel) from <paramref name="background"/>.</summary>
    public static double ForegroundFraction(Image<Rgb24> image, Rgb24 background)
    {
        long count = 0;
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
                foreach (var p in rows.GetRowSpan(y))
                    if (Math.Abs(p.R - background.R) > 24 || Math.Abs(p.G - background.G) > 24 || Math.Abs(p.B - background.B) > 24) count++;
        });
        return count / (double)(image.Width * image.Height);
    }

    /// <summary>Mean absolute difference over all channels, in levels (0..255).</summary>
    public static double MeanAbsoluteDifference(Image<Rgb24> a, Image<Rgb24> b)
    {
        if (a.Width != b.Width || a.Height != b.Height) throw new ArgumentException("screenshots differ in size");
        var pa = new Rgb24[a.Width * a.Height];
        var pb = new Rgb24[b.Width * b.Height];
        a.CopyPixelDataTo(pa);
        b.CopyPixelDataTo(pb);
        double sum = 0;
        for (int i = 0; i < pa.Length; i++)
            sum += Math.Abs(pa[i].R - pb[i].R) + Math.Abs(pa[i].G - pb[i].G) + Math.Abs(pa[i].B - pb[i].B);
        return sum / (3.0 * pa.Length);
    }
}
