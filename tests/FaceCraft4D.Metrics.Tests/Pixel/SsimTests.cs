using FaceCraft4D.Graphics.ImageQuality;
using FaceCraft4D.Metrics.Tests.Support;
using FaceCraft4D.Weights.Scalars;
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
        using var x = HeldScalarOps.Hold(a.ToScalar(), held => torch.full(1, 3, 20, 20, held, torch.float32));
        using var y = HeldScalarOps.Hold(b.ToScalar(), held => torch.full(1, 3, 20, 20, held, torch.float32));
        const double c1 = 0.0001;
        double expected = (2 * (double)(float)a * (float)b + c1) / ((double)(float)a * (float)a + (double)(float)b * (float)b + c1);
        Assert.Equal(expected, Ssim.Compute(x, y)[0], 10);
    }

    [Fact]
    public void MatchesTheIndependentFloat64Reference()
    {
        using var x = TestImages.Texture(7, 1, 40, 36);
        using var y0 = TestImages.WithNoise(x, 0.08, seed: 8);
        using var y = y0.Clamped(0, 1);
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
        using var y = y0.Clamped(0, 1);
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

    /// <summary>
    /// Values measured with the Metrics-only implementation before SSIM moved to Graphics (FaceCraft4D.Graphics.ImageQuality):
    /// the evaluation's SSIM and MS-SSIM must not change (tolerance 1e-6, so CPU-specific rounding does not matter).
    /// </summary>
    [Theory]
    [InlineData(7, 40, 36, 0.08, 0.45346646909516153, 0.35898303489103106, null, null)]
    [InlineData(9, 64, 64, 0.03, 0.7671615289766905, 0.7771318882918606, null, null)]
    [InlineData(11, 161, 170, 0.05, 0.5302525521201754, 0.5341650462136108, 0.9367050237130767, 0.9378391685814579)]
    [InlineData(13, 200, 180, 0.2, 0.10522069147963052, 0.1049402809335986, 0.7145193788397332, 0.7168874801555156)]
    public void Values_are_unchanged_from_before_the_move(int seed, int h, int w, double sigma, double ssim0, double ssim1, double? ms0, double? ms1)
    {
        using var x = TestImages.Texture(seed, 2, h, w);
        using var y0 = TestImages.WithNoise(x, sigma, seed + 1);
        using var y = y0.Clamped(0, 1);
        var s = Ssim.Compute(x, y);
        Assert.Equal(ssim0, s[0], 1e-6);
        Assert.Equal(ssim1, s[1], 1e-6);
        if (ms0 is null) return;
        var ms = MultiScaleSsim.Compute(x, y);
        Assert.Equal(ms0.Value, ms[0], 1e-6);
        Assert.Equal(ms1!.Value, ms[1], 1e-6);
    }
}
