using FaceCraft4D.Metrics.Pixel;
using FaceCraft4D.Metrics.Tests.Support;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;

namespace FaceCraft4D.Metrics.Tests.Pixel;

public class PsnrTests
{
    [Fact]
    public void IdenticalImages_AreInfinite()
    {
        using var x = TestImages.Texture(1, 2, 32, 40);
        var psnr = Psnr.Compute(x, x);
        Assert.All(psnr, v => Assert.True(double.IsPositiveInfinity(v)));
    }

    [Theory]
    [InlineData(0.01, 40.0)]
    [InlineData(0.05, 26.0206)]
    [InlineData(0.1, 20.0)]
    public void GaussianNoise_GivesTheTheoreticalPsnr(double sigma, double expectedDb)
    {
        // MSE of unclipped N(0, σ²) noise is σ² (sample estimate over 3·256·256 values: relative sd 0.3 %, i.e. 0.014 dB).
        using var x = TestImages.Texture(2, 1, 256, 256);
        using var y = TestImages.WithNoise(x, sigma, seed: 3);
        Assert.Equal(expectedDb, 20 * Math.Log10(1 / sigma), 3);
        Assert.InRange(Psnr.Compute(x, y)[0], expectedDb - 0.06, expectedDb + 0.06);
    }

    [Fact]
    public void DataRange255_GivesTheSameDecibels()
    {
        using var x = TestImages.Texture(4, 1, 64, 64);
        using var y = TestImages.WithNoise(x, 0.03, seed: 5);
        using var x255 = x.Times(255);
        using var y255 = y.Times(255);
        Assert.Equal(Psnr.Compute(x, y)[0], Psnr.Compute(x255, y255, 255)[0], 4);
    }

    [Fact]
    public void ShapeMismatch_Throws()
    {
        using var a = torch.zeros(1, 3, 8, 8);
        using var b = torch.zeros(1, 3, 8, 9);
        Assert.Throws<ArgumentException>(() => Psnr.Compute(a, b));
    }
}
