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

    [Fact]
    public void Below_jaw_mask_starts_at_the_jaw_contour_in_each_column()
    {
        // Jaw 0-16: the lower half of a circle (centre 64, 60; radius 40), as above.
        var marks = new float[136];
        for (int i = 0; i <= 16; i++)
        {
            double a = Math.PI * i / 16;
            marks[2 * i] = (float)(64 - 40 * Math.Cos(a));
            marks[2 * i + 1] = (float)(60 + 40 * Math.Sin(a));
        }
        var below = FaceOutline.BelowJaw(marks, 128, 128, feather: 2);

        Assert.Equal(0f, below[64, 98]); // above the chin (y 100)
        Assert.Equal(1f, below[64, 103]); // 2.5 px below the chin: past the feather
        Assert.InRange(below[64, 100], 0.2f, 0.3f); // centre 100.5: half a pixel into the 2 px ramp
        // Off the centre the contour is higher: at x = 30.5 the chord between landmarks 2 and 3 lies near y = 80.
        int column = 30;
        int first = Enumerable.Range(0, 128).First(y => below[column, y] > 0);
        double a2 = Math.PI * 2 / 16, a3 = Math.PI * 3 / 16;
        double x2 = 64 - 40 * Math.Cos(a2), y2 = 60 + 40 * Math.Sin(a2), x3 = 64 - 40 * Math.Cos(a3), y3 = 60 + 40 * Math.Sin(a3);
        double expected = y2 + (column + 0.5 - x2) / (x3 - x2) * (y3 - y2);
        Assert.InRange(first + 0.5, expected, expected + 1);
        // Beside the jaw (outside its x-range) nothing is below it, at any height; inside the face nothing either.
        Assert.All(Enumerable.Range(0, 128), y => Assert.Equal(0f, below[20, y]));
        Assert.Equal(0f, below[64, 60]);
        Assert.Throws<ArgumentException>(() => FaceOutline.BelowJaw(new float[10], 128, 128));
    }
}
