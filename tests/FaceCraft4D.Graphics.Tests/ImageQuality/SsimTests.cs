using FaceCraft4D.Graphics.ImageQuality;
using FaceCraft4D.Graphics.Training;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests.ImageQuality;

/// <summary>
/// The one SSIM: both paddings come from the same statistics, it is differentiable, and the training loss is a view of it.
/// (Its values against an independent float64 reference are checked in the Metrics tests, which evaluate with it.)
/// </summary>
public sealed class SsimTests
{
    private static (Tensor X, Tensor Y) Pair(int seed, long h, long w, ScalarType dtype = ScalarType.Float64)
    {
        using var g = new Generator((ulong)seed, CPU);
        var x = torch.rand([2, 3, h, w], dtype, generator: g);
        var y = x.Times(0.6).Plus(torch.rand([2, 3, h, w], dtype, generator: g).Times(0.4)).Clamped(0, 1);
        return (x, y);
    }

    [Fact]
    public void Zero_padded_map_equals_the_valid_map_away_from_the_border()
    {
        using var scope = torch.NewDisposeScope();
        var (x, y) = Pair(1, 30, 27);
        var options = new SsimOptions();
        var (validSsim, validCs) = Ssim.Maps(x, y, options, SsimPadding.Valid);
        var (zeroSsim, zeroCs) = Ssim.Maps(x, y, options, SsimPadding.Zero);
        Assert.Equal(new long[] { 2, 3, 20, 17 }, validSsim.shape);
        Assert.Equal(new long[] { 2, 3, 30, 27 }, zeroSsim.shape);
        var interior = zeroSsim[.., .., 5..25, 5..22];
        Assert.True((interior - validSsim).abs().max().item<double>() < 1e-12);
        Assert.True((zeroCs[.., .., 5..25, 5..22] - validCs).abs().max().item<double>() < 1e-12);
        // the border differs: zero padding darkens the local means there
        Assert.True(zeroSsim[.., .., 0, ..].Minus(1).abs().min().item<double>() > 1e-6);
    }

    [Fact]
    public void Training_loss_is_the_zero_padded_ssim_of_the_hwc_image()
    {
        using var scope = torch.NewDisposeScope();
        var (x, y) = Pair(2, 16, 19);
        var (map, _) = Ssim.Maps(x[..1], y[..1], new SsimOptions(), SsimPadding.Zero);
        double loss = ImageLosses.Ssim(x[0].permute(1, 2, 0), y[0].permute(1, 2, 0)).item<double>();
        Assert.Equal(map.mean().item<double>(), loss, 14);
    }

    [Fact]
    public void Float32_agrees_with_float64()
    {
        using var scope = torch.NewDisposeScope();
        var (x, y) = Pair(3, 40, 40);
        var (s64, cs64) = Ssim.PerChannel(x, y, new SsimOptions());
        var (s32, cs32) = Ssim.PerChannel(x.to(ScalarType.Float32), y.to(ScalarType.Float32), new SsimOptions());
        Assert.Equal(ScalarType.Float32, s32.dtype);
        Assert.True((s32.to(ScalarType.Float64) - s64).abs().max().item<double>() < 1e-5);
        Assert.True((cs32.to(ScalarType.Float64) - cs64).abs().max().item<double>() < 1e-5);
    }

    [Fact]
    public void Ssim_and_ms_ssim_gradients_match_finite_differences()
    {
        using var scope = torch.NewDisposeScope();
        var (x0, y) = Pair(4, 24, 24);
        var options = new SsimOptions { WindowSize = 5, Sigma = 1.0, MultiScaleWeights = [0.4, 0.6] };
        Func<Tensor, Tensor>[] losses =
        [
            v => Ssim.PerChannel(v, y, options).Ssim.sum(),
            v => Ssim.Maps(v, y, options, SsimPadding.Zero).Ssim.mean(),
            v => MultiScaleSsim.Evaluate(v, y, options).sum(),
        ];
        foreach (var loss in losses)
        {
            var x = x0.detach().clone().requires_grad_(true);
            loss(x).backward();
            var grad = x.grad!;
            const double eps = 1e-6;
            foreach (var (n, c, i, j) in new[] { (0, 0, 3, 4), (1, 2, 12, 12), (0, 1, 23, 0), (1, 0, 0, 17) })
            {
                using var noGrad = torch.no_grad();
                var plus = x0.clone();
                plus[n, c, i, j] += eps;
                var minus = x0.clone();
                minus[n, c, i, j] -= eps;
                double numeric = (loss(plus).item<double>() - loss(minus).item<double>()) / (2 * eps);
                double analytic = grad[n, c, i, j].item<double>();
                Assert.True(Math.Abs(numeric - analytic) <= 1e-7 + 1e-4 * Math.Abs(numeric), $"({n},{c},{i},{j}): numeric {numeric:E4} analytic {analytic:E4}");
            }
        }
    }

    [Fact]
    public void Mismatched_or_non_batch_inputs_are_refused()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<ArgumentException>(() => Ssim.Maps(torch.zeros(1, 3, 20, 20), torch.zeros(1, 3, 20, 21), new SsimOptions(), SsimPadding.Valid));
        Assert.Throws<ArgumentException>(() => Ssim.Compute(torch.zeros(3, 20, 20), torch.zeros(3, 20, 20)));
    }
}
