using FaceCraft4D.Graphics.ImageQuality;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests.ImageQuality;

/// <summary>The fused SSIM kernel of the training losses computes the convolution path's weighted map sums and their gradients.</summary>
public sealed class FusedSsimTests
{
    [Theory]
    [InlineData(false, false, 11, 1.5)]
    [InlineData(false, true, 11, 1.5)]
    [InlineData(true, false, 11, 1.5)]
    [InlineData(true, true, 5, 1.5 * 5 / 11.0)]
    public void Weighted_map_sums_and_gradients_equal_the_float64_convolutions(bool contrastOnly, bool weighted, int window, double sigma)
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(11, CPU);
        // Non-square sides that are not a multiple of the vector width; a smooth target plus noise like a render near convergence.
        var y = torch.rand([1, 3, 21, 35], ScalarType.Float64, generator: g);
        var x = y.Plus(torch.randn([1, 3, 21, 35], ScalarType.Float64, generator: g).Times(0.15)).Clamped(0, 1);
        var weights = weighted ? torch.rand([21, 35], ScalarType.Float64, generator: g).DividedBy(300) : null;
        var options = new SsimOptions { WindowSize = window, Sigma = sigma };

        var xRef = x.clone().requires_grad_(true);
        var (ssim, cs) = Ssim.Maps(xRef, y, options, SsimPadding.Zero);
        var map = contrastOnly ? cs : ssim;
        var reference = weights is null ? map.mean() : (map * weights.reshape(1, 1, 21, 35)).sum();
        var gradRef = torch.autograd.grad([reference.Times(3.0)], [xRef])[0];

        var xFast = x.to_type(ScalarType.Float32).requires_grad_(true);
        var fast = Ssim.WeightedMapSum(xFast, y.to_type(ScalarType.Float32), weights?.to_type(ScalarType.Float32), options, contrastOnly);
        var gradFast = torch.autograd.grad([fast.Times(3.0)], [xFast])[0];

        Assert.Equal(0, fast.ndim);
        Assert.Equal(reference.item<double>(), fast.item<float>(), 5);
        double scale = gradRef.abs().max().item<double>();
        Assert.True(scale > 0);
        double err = (gradFast.to_type(ScalarType.Float64) - gradRef).abs().max().item<double>();
        Assert.True(err < 2e-4 * scale, $"gradient error {err} against a largest entry of {scale}");
    }

    [Fact]
    public void The_training_loss_is_the_same_on_the_fused_and_the_band_matrix_path_with_a_mask()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(12, CPU);
        var target = torch.rand([24, 18, 3], generator: g);
        var rendered = target.Plus(torch.randn([24, 18, 3], generator: g).Times(0.1)).Clamped(0, 1);
        var mask = torch.rand([24, 18], generator: g).IsGreaterThan(0.3).to_type(ScalarType.Float32);
        using var bank = new GaussianFilterBank();
        var a = rendered.clone().requires_grad_(true);
        var b = rendered.clone().requires_grad_(true);
        var slow = Graphics.Training.ImageLosses.Ssim(a, target, mask, filters: bank);
        var fast = Graphics.Training.ImageLosses.Ssim(b, target, mask, filters: bank, fused: true);
        slow.backward();
        fast.backward();
        Assert.Equal(slow.item<float>(), fast.item<float>(), 5);
        Assert.True((a.grad! - b.grad!).abs().max().item<float>() < 1e-4 * a.grad!.abs().max().item<float>() + 1e-7);
    }
}
