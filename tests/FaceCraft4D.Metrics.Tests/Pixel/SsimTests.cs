using FaceCraft4D.Metrics.Pixel;
using FaceCraft4D.Metrics.Tests.Support;
using TorchSharp;

namespace FaceCraft4D.Metrics.Tests.Pixel;

public class SsimTests
{
    [Fact]
    public void IdenticalImages_AreOne()
    {
        using var x = TestImages.Texture(1, 2, 48, 40);
        Assert.All(Ssim.Compute(x, x), v => Assert.Equal(1.0, v, 12));
    }

    [Theory]
    [InlineData(0.2, 0.7)]
    [InlineData(0.5, 0.45)]
    [InlineData(0.0, 1.0)]
    public void ConstantImages_MatchTheLuminanceFormula(double a, double b)
    {
        // σx = σy = σxy = 0, so the contrast-structure term is C2/C2 = 1 and SSIM = (2ab + C1) / (a² + b² + C1).
        using var x = torch.full(1, 3, 20, 20, a, torch.float32);
        using var y = torch.full(1, 3, 20, 20, b, torch.float32);
        const double c1 = 0.0001;
        double expected = (2 * (double)(float)a * (float)b + c1) / ((double)(float)a * (float)a + (double)(float)b * (float)b + c1);
        Assert.Equal(expected, Ssim.Compute(x, y)[0], 10);
    }

    [Fact]
    public void MatchesTheIndependentFloat64Reference()
    {
        using var x = TestImages.Texture(7, 1, 40, 36);
        using var y0 = TestImages.WithNoise(x, 0.08, seed: 8);
        using var y = y0.clamp(0, 1);
        var expected = SsimReference.Image(TestImages.ToDoubles(x), TestImages.ToDoubles(y), 40, 36);
        var actual = Ssim.Compute(x, y)[0];
        Assert.InRange(expected, 0.2, 0.95); // a non-trivial case
        Assert.Equal(expected, actual, 10);
    }

    [Fact]
    public void DecreasesWithNoise_AndIsSymmetric()
    {
        using var x = TestImages.Texture(9, 1, 64, 64);
        double previous = 1.0;
        foreach (var sigma in new[] { 0.01, 0.03, 0.1, 0.3 })
        {
            using var y = TestImages.WithNoise(x, sigma, seed: 10);
            double s = Ssim.Compute(x, y)[0];
            Assert.True(s < previous, $"SSIM {s} at sigma {sigma} is not below {previous}");
            Assert.Equal(s, Ssim.Compute(y, x)[0], 12);
            previous = s;
        }
    }

    [Fact]
    public void TooSmallImage_ThrowsWithTheNeededSize()
    {
        using var x = torch.zeros(1, 3, 10, 30);
        var ex = Assert.Throws<ArgumentException>(() => Ssim.Compute(x, x));
        Assert.Contains("11 x 11", ex.Message);
    }

    [Fact]
    public void MultiScale_IdenticalIsOne_AndMatchesTheFloat64Reference()
    {
        using var x = TestImages.Texture(11, 1, 161, 170);
        using var y0 = TestImages.WithNoise(x, 0.05, seed: 12);
        using var y = y0.clamp(0, 1);
        Assert.Equal(1.0, MultiScaleSsim.Compute(x, x)[0], 12);
        var options = new SsimOptions();
        var expected = SsimReference.MultiScale(TestImages.ToDoubles(x), TestImages.ToDoubles(y), 161, 170, options.MultiScaleWeights);
        var actual = MultiScaleSsim.Compute(x, y)[0];
        Assert.InRange(actual, 0.3, 0.999);
        Assert.Equal(expected, actual, 9);
        // coarser scales see less of the white noise: MS-SSIM exceeds single-scale SSIM here
        Assert.True(actual > Ssim.Compute(x, y)[0]);
    }

    [Fact]
    public void MultiScale_NeedsImagesOf161Pixels()
    {
        Assert.Equal(161, MultiScaleSsim.MinimumSide());
        using var x = torch.zeros(1, 3, 160, 200);
        Assert.Throws<ArgumentException>(() => MultiScaleSsim.Compute(x, x));
    }
}
