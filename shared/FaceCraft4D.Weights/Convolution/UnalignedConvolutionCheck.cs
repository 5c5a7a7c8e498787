using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights.Convolution;

/// <summary>
/// Whether this CPU's float32 conv2d and conv3d are wrong on unaligned channels (see <see cref="ChannelAlignedConvolution"/>):
/// one small convolution of each kind (batch 3, 22 input channels, 3x3(x3) kernel) in float32, plain and channel-aligned,
/// against float64. Errors are relative to the float64 output's range; a result with a NaN or infinity (the bug sometimes
/// gives NaN) has error <see cref="double.PositiveInfinity"/>. Takes tens of milliseconds.
/// </summary>
public sealed record UnalignedConvolutionCheck(double Conv2dError, double Conv2dAlignedError, double Conv3dError, double Conv3dAlignedError)
{
    /// <summary>Relative error above which a float32 convolution counts as wrong (float32 rounding is about 1e-6 here).</summary>
    public const double Tolerance = 1e-4;

    /// <summary>Plain conv2d is wrong on this machine.</summary>
    public bool Conv2dAffected => !(Conv2dError <= Tolerance);

    /// <summary>Plain conv3d is wrong on this machine.</summary>
    public bool Conv3dAffected => !(Conv3dError <= Tolerance);

    /// <summary>The channel-aligned convolutions are right (what the code base uses where the shapes can hit the bug).</summary>
    public bool AlignedCorrect => Conv2dAlignedError <= Tolerance && Conv3dAlignedError <= Tolerance;

    /// <summary>Runs the check on the CPU (fixed seed, no gradients).</summary>
    public static UnalignedConvolutionCheck Run()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var generator = new Generator(1434);
        var x2 = randn([3, 22, 24, 24], ScalarType.Float32, generator: generator);      // [B, C, H, W]
        var w2 = randn([32, 22, 3, 3], ScalarType.Float32, generator: generator);       // [O, C, 3, 3]
        var x3 = randn([3, 22, 8, 16, 16], ScalarType.Float32, generator: generator);   // [B, C, D, H, W]
        using var conv3 = nn.Conv3d(22, 22, 3, padding: 1);
        conv3.weight!.copy_(randn([22, 22, 3, 3, 3], ScalarType.Float32, generator: generator));
        conv3.bias!.zero_();

        long[] pad2 = [1, 1], pad3 = [1, 1, 1];
        var reference2 = nn.functional.conv2d(x2.to(ScalarType.Float64), w2.to(ScalarType.Float64), padding: pad2);
        var plain2 = nn.functional.conv2d(x2, w2, padding: pad2);
        var aligned2 = ChannelAlignedConvolution.Conv2d(x2, w2, padding: pad2);
        var reference3 = nn.functional.conv3d(x3.to(ScalarType.Float64), conv3.weight.to(ScalarType.Float64), padding: pad3);
        var plain3 = conv3.forward(x3);
        var aligned3 = ChannelAlignedConvolution.Forward(conv3, x3);
        return new UnalignedConvolutionCheck(
            RelativeError(plain2, reference2), RelativeError(aligned2, reference2),
            RelativeError(plain3, reference3), RelativeError(aligned3, reference3));
    }

    /// <summary>max |value − reference| / range(reference); +∞ when value has a NaN or an infinity.</summary>
    public static double RelativeError(Tensor value, Tensor reference)
    {
        using var scope = NewDisposeScope();
        if (!value.isfinite().all().item<bool>()) return double.PositiveInfinity;
        double range = reference.max().item<double>() - reference.min().item<double>();
        double error = value.to(ScalarType.Float64).PlusScaled(reference, -1).abs().max().item<double>();
        return error / Math.Max(range, double.Epsilon);
    }
}
