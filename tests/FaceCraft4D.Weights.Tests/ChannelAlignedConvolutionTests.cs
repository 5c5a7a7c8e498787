using FaceCraft4D.Weights.Convolution;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights.Tests;

/// <summary>
/// The channel-aligned conv2d and conv3d equal the float64 convolution for channel counts that are and are not multiples
/// of 16 (plain float32 convolutions were off by up to 9 % (conv3d) and 17 % (conv2d) of the output range on an AVX-512
/// AMD EPYC for the unaligned ones), and the start-up check finds the aligned ones right on any CPU.
/// </summary>
public sealed class ChannelAlignedConvolutionTests
{
    [Theory]
    [InlineData(1, 70, 7, 3)]
    [InlineData(1, 66, 7, 3)]
    [InlineData(1, 34, 7, 3)]
    [InlineData(1, 64, 7, 3)]
    [InlineData(3, 22, 3, 1)]
    [InlineData(2, 18, 3, 1)]
    [InlineData(3, 13, 1, 0)]
    [InlineData(2, 22, 3, 1, 2)]
    public void Conv3d_equals_the_float64_convolution(int batch, int channels, int kernel, int padding, int stride = 1)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new Generator(17);
        using var conv = nn.Conv3d(channels, 22, kernel, stride: stride, padding: padding);
        var input = randn(new long[] { batch, channels, 8, 16, 16 }, generator: generator); // [B, C, D, H, W]

        var aligned = ChannelAlignedConvolution.Forward(conv, input);                 // [batch, 22, D', H', W']
        var reference = nn.functional.conv3d(
            input.to(float64), conv.weight!.to(float64), conv.bias!.to(float64), strides: [stride, stride, stride], padding: [padding, padding, padding]);

        AssertClose(reference, aligned, kernel * kernel);
    }

    [Theory]
    [InlineData(3, 22, 3, 1)]
    [InlineData(3, 17, 3, 1)]
    [InlineData(1, 40, 3, 1)]
    [InlineData(1, 70, 7, 3)]
    [InlineData(3, 150, 7, 3)]
    [InlineData(3, 48, 3, 1)]
    [InlineData(3, 13, 3, 1)]
    [InlineData(3, 70, 1, 0)]
    [InlineData(2, 22, 3, 1, 2)]
    public void Conv2d_equals_the_float64_convolution(int batch, int channels, int kernel, int padding, int stride = 1)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new Generator(23);
        using var conv = nn.Conv2d(channels, 32, kernel, stride: stride, padding: padding);
        var input = randn(new long[] { batch, channels, 24, 24 }, generator: generator); // [B, C, H, W]

        var module = ChannelAlignedConvolution.Forward(conv, input);                 // [batch, 32, H', W']
        var functional = ChannelAlignedConvolution.Conv2d(input, conv.weight!, conv.bias, [stride, stride], [padding, padding]);
        var reference = nn.functional.conv2d(
            input.to(float64), conv.weight!.to(float64), conv.bias!.to(float64), strides: [stride, stride], padding: [padding, padding]);

        AssertClose(reference, module, kernel);
        AssertClose(reference, functional, kernel);
    }

    [Fact]
    public void Conv2d_leaves_the_shapes_that_were_right_to_the_plain_call()
    {
        using var scope = NewDisposeScope();
        var weight3 = zeros(8, 22, 3, 3);
        Assert.True(ChannelAlignedConvolution.NeedsAlignment2d(zeros(1, 22, 8, 8), weight3, 1));
        Assert.False(ChannelAlignedConvolution.NeedsAlignment2d(zeros(1, 32, 8, 8), zeros(8, 32, 3, 3), 1));   // aligned
        Assert.False(ChannelAlignedConvolution.NeedsAlignment2d(zeros(1, 13, 8, 8), zeros(8, 13, 3, 3), 1));   // <= 16
        Assert.False(ChannelAlignedConvolution.NeedsAlignment2d(zeros(1, 22, 8, 8), zeros(8, 22, 1, 1), 1));   // 1x1
        Assert.False(ChannelAlignedConvolution.NeedsAlignment2d(zeros(1, 22, 8, 8), zeros(22, 1, 3, 3), 22));  // grouped
        Assert.False(ChannelAlignedConvolution.NeedsAlignment2d(zeros(1, 22, 8, 8, ScalarType.Float64), weight3, 1));
        var channelsLast = zeros(1, 8, 8, 22).permute(0, 3, 1, 2);                                              // [1, 22, 8, 8] view
        Assert.False(ChannelAlignedConvolution.NeedsAlignment2d(channelsLast, weight3, 1));
    }

    [Fact]
    public void The_start_up_check_finds_the_aligned_convolutions_right()
    {
        var check = UnalignedConvolutionCheck.Run();

        Assert.True(check.AlignedCorrect, $"aligned: conv2d {check.Conv2dAlignedError:E2}, conv3d {check.Conv3dAlignedError:E2}");
        // The plain convolutions' errors depend on the CPU (on an affected AMD EPYC, sometimes NaN: then +infinity).
        Assert.False(double.IsNaN(check.Conv2dError) || double.IsNaN(check.Conv3dError));
    }

    [Fact]
    public void A_result_with_NaN_or_infinity_has_an_infinite_error()
    {
        using var scope = NewDisposeScope();
        var reference = tensor(new[] { 0.0, 1.0, 2.0 }, float64);

        Assert.Equal(0.25, UnalignedConvolutionCheck.RelativeError(tensor(new[] { 0f, 1.5f, 2f }), reference), 12);
        Assert.Equal(double.PositiveInfinity, UnalignedConvolutionCheck.RelativeError(tensor(new[] { 0f, float.NaN, 2f }), reference));
        Assert.Equal(double.PositiveInfinity, UnalignedConvolutionCheck.RelativeError(tensor(new[] { float.PositiveInfinity, 1f, 2f }), reference));
    }

    private static void AssertClose(Tensor reference, Tensor value, int kernel)
    {
        Assert.Equal(reference.shape, value.shape);
        double range = reference.abs().max().item<double>();
        double error = (value.to(float64) - reference).abs().max().item<double>();
        Assert.True(error <= 1e-5 * Math.Max(1, range) * kernel * kernel, $"max |error| {error:E2} over a range of {range:F3}");
    }
}
