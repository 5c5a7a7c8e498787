using FaceCraft4D.Graphics.Training;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

public sealed class ImageLossTests
{
    [Fact]
    public void Ssim_matches_a_direct_per_pixel_computation()
    {
        using var scope = torch.NewDisposeScope();
        var gen = new torch.Generator(1);
        var a = torch.rand(new long[] { 14, 17, 3 }, ScalarType.Float64, generator: gen);
        var b = a.Times(0.7).Plus(torch.rand(new long[] { 14, 17, 3 }, ScalarType.Float64, generator: gen).Times(0.3)).Clamped(0, 1);
        double actual = ImageLosses.Ssim(a, b).item<double>();
        Assert.Equal(1.0, ImageLosses.Ssim(a, a).item<double>(), 10);

        // Direct evaluation: 11x11 Gaussian window (sigma 1.5), zero padding, per pixel and channel, then the mean.
        var A = a.data<double>().ToArray(); var B = b.data<double>().ToArray();
        var w1 = Enumerable.Range(0, 11).Select(i => Math.Exp(-Math.Pow(i - 5, 2) / (2 * 1.5 * 1.5))).ToArray();
        double norm = w1.Sum();
        double total = 0;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 14; y++)
                for (int x = 0; x < 17; x++)
                {
                    double mu1 = 0, mu2 = 0, s11 = 0, s22 = 0, s12 = 0;
                    for (int dy = -5; dy <= 5; dy++)
                        for (int dx = -5; dx <= 5; dx++)
                        {
                            int yy = y + dy, xx = x + dx;
                            if (yy < 0 || yy >= 14 || xx < 0 || xx >= 17) continue;
                            double w = w1[dy + 5] * w1[dx + 5] / (norm * norm);
                            double p = A[(yy * 17 + xx) * 3 + c], q = B[(yy * 17 + xx) * 3 + c];
                            mu1 += w * p; mu2 += w * q; s11 += w * p * p; s22 += w * q * q; s12 += w * p * q;
                        }
                    s11 -= mu1 * mu1; s22 -= mu2 * mu2; s12 -= mu1 * mu2;
                    const double c1 = 1e-4, c2 = 9e-4;
                    total += (2 * mu1 * mu2 + c1) * (2 * s12 + c2) / ((mu1 * mu1 + mu2 * mu2 + c1) * (s11 + s22 + c2));
                }
        Assert.Equal(total / (3 * 14 * 17), actual, 10);
    }

    [Fact]
    public void Masked_l1_averages_over_masked_pixels_only()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.zeros(4, 4, 3);
        var b = torch.zeros(4, 4, 3);
        b[0, 0] = torch.tensor(new float[] { 0.3f, 0.6f, 0.9f });
        b[3, 3] = torch.ones(3).Times(5); // outside the mask
        var mask = torch.zeros(4, 4);
        mask[0, 0] = torch.tensor(1f); mask[1, 1] = torch.tensor(1f);
        Assert.Equal((0.3 + 0.6 + 0.9) / 6, ImageLosses.L1(a, b, mask).item<float>(), 6);
        Assert.Equal(20.0, ImageLosses.Psnr(torch.zeros(2, 2, 3), HeldScalarOps.Hold(0.1f.ToScalar(), held => torch.full(new long[] { 2, 2, 3 }, held))), 4);
    }
}
