using FaceCraft4D.Vision.ShapePrior.Template;

namespace FaceCraft4D.Vision.Tests.ShapePrior;

/// <summary>The portrait's face mask from the jaw contour and the brows.</summary>
public sealed class FaceOutlineTests
{
    [Fact]
    public void Mask_covers_the_jaw_and_brow_polygon_with_its_analytic_area()
    {
        // Jaw 0-16: the lower half of a circle (centre 64, 60; radius 40) from the left to the right; brows 17-26: a
        // straight line 20 px above the centre from left to right. The polygon is the half disc plus a 80 x 20 band.
        var marks = new float[136];
        for (int i = 0; i <= 16; i++)
        {
            double a = Math.PI * i / 16; // 0: left (x = 24), pi/2: chin, pi: right
            marks[2 * i] = (float)(64 - 40 * Math.Cos(a));
            marks[2 * i + 1] = (float)(60 + 40 * Math.Sin(a));
        }
        for (int i = 17; i <= 26; i++)
        {
            marks[2 * i] = 24 + 80f * (i - 17) / 9;
            marks[2 * i + 1] = 40;
        }
        for (int i = 27; i < 68; i++) { marks[2 * i] = 64; marks[2 * i + 1] = 70; }

        var mask = FaceOutline.Rasterize(marks, 128, 128);
        // The 16-gon's area rather than the half disc's: (n/2) r^2 sin(pi/n) for the 16 chords, plus the band.
        double expected = 8 * 40.0 * 40 * Math.Sin(Math.PI / 16) + 80 * 20;
        double area = mask.Data.Sum();
        Assert.InRange(area, expected * 0.98, expected * 1.02);
        Assert.Equal(1f, mask[64, 60]); // centre
        Assert.Equal(1f, mask[64, 45]); // between brows and centre
        Assert.Equal(0f, mask[64, 35]); // above the brows
        Assert.Equal(0f, mask[64, 105]); // below the chin
        Assert.Equal(0f, mask[20, 60]); // beside the jaw
        Assert.Throws<ArgumentException>(() => FaceOutline.Rasterize(new float[10], 128, 128));
    }
}
