using FaceCraft4D.Graphics.ImageQuality;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests.ImageQuality;

/// <summary>The band-matrix filtering of the training losses computes the convolution path's SSIM, values and gradients.</summary>
public sealed class GaussianFilterBankTests
{
    [Theory]
    [InlineData(SsimPadding.Zero, 11, 1.5)]
    [InlineData(SsimPadding.Valid, 11, 1.5)]
    [InlineData(SsimPadding.Zero, 7, 0.95)]
    public void Maps_and_gradients_equal_the_grouped_convolutions(SsimPadding padding, int window, double sigma)
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(7, CPU);
        // Non-square, odd sides: catches a transposed or shifted band.
        var x = torch.rand([2, 4, 23, 29], ScalarType.Float64, generator: g).requires_grad_(true);
        var y = torch.rand([2, 4, 23, 29], ScalarType.Float64, generator: g);
        var weights = torch.rand([2, 4, 23, 29], ScalarType.Float64, generator: g);
        var options = new SsimOptions { WindowSize = window, Sigma = sigma };
        using var bank = new GaussianFilterBank();

        var (ssimConv, csConv) = Ssim.Maps(x, y, options, padding);
        var (ssimBank, csBank) = Ssim.Maps(x, y, options, padding, bank);
        Tensor Weighted(Tensor map) => (map * weights.narrow(2, 0, map.shape[2]).narrow(3, 0, map.shape[3])).sum();
        var gradConv = torch.autograd.grad([Weighted(ssimConv).Plus(Weighted(csConv))], [x])[0];
        var gradBank = torch.autograd.grad([Weighted(ssimBank).Plus(Weighted(csBank))], [x])[0];

        Assert.Equal(ssimConv.shape, ssimBank.shape);
        Assert.True((ssimConv - ssimBank).abs().max().item<double>() < 1e-12);
        Assert.True((csConv - csBank).abs().max().item<double>() < 1e-12);
        Assert.True((gradConv - gradBank).abs().max().item<double>() < 1e-11);
        Assert.Equal(2, bank.CachedMatrices); // one matrix per image side, built once
        Ssim.Maps(x, y, options, padding, bank);
        Assert.Equal(2, bank.CachedMatrices);
    }

    [Fact]
    public void The_band_matrix_is_the_normalised_window_placed_for_zero_padding()
    {
        using var bank = new GaussianFilterBank();
        var m = bank.Matrix(6, 3, 1.0, pad: 1, ScalarType.Float64, CPU); // [6, 6]
        var w = GaussianWindow.Create(3, 1.0).data<double>().ToArray();
        var a = m.data<double>().ToArray();
        Assert.Equal(w[1], a[0 * 6 + 0], 15); // output 0 centred on input 0; its left tap falls into the padding
        Assert.Equal(w[2], a[1 * 6 + 0], 15);
        Assert.Equal(0.0, a[2 * 6 + 0]);
        Assert.Equal(w[0], a[2 * 6 + 3], 15);
        Assert.Equal(w[1], a[3 * 6 + 3], 15);
        Assert.Equal(w[2], a[4 * 6 + 3], 15);
    }
}
