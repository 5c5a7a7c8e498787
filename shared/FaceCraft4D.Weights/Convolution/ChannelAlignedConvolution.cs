using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights.Convolution;

/// <summary>
/// Convolutions evaluated with their input channels zero-padded to a multiple of 16 (the weight padded alike, so the
/// result is the same convolution). Why: libtorch 2.10's float32 CPU convolution (TorchSharp 0.107, oneDNN 3.7.1
/// <c>jit:avx512_core</c>, blocked layout with padded channels) returns wrong values on some AVX-512 CPUs when the input
/// channels are not a multiple of oneDNN's channel block. On an AMD EPYC (Zen 4): conv3d, a 7x7x7 kernel over 70 channels
/// off by 9 % of the output's range against float64, 3x3x3 over 18 or 22 channels by 10-20 % at batch 2-3 (s25); conv2d
/// (s26 sweep, 24x24 images, 32 outputs) 3x3 and 7x7 kernels over 17-150 unaligned channels off by 3-17 % of the range
/// (3x3 at batch 1 only from 40 channels on), while 1x1 kernels, at most 16 channels, multiples of 16 and channels-last
/// inputs were exact to 1e-4. ONEDNN_MAX_CPU_ISA=AVX2 did not avoid it for conv3d. Tests: ChannelAlignedConvolutionTests;
/// <see cref="UnalignedConvolutionCheck"/> tells whether a machine is affected.
/// </summary>
public static class ChannelAlignedConvolution
{
    /// <summary>oneDNN's channel block on AVX-512.</summary>
    public const long Alignment = 16;

    /// <summary>
    /// conv(input) for input [B, C, D, H, W], with the module's own stride, padding and dilation. Pads every unaligned
    /// channel count (the LivePortrait port's rule since s25); a grouped or non-zero-padded conv, or one off the CPU, runs as is.
    /// </summary>
    public static Tensor Forward(Conv3d conv, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(conv);
        ArgumentNullException.ThrowIfNull(input);
        long missing = Missing(input.shape[1]);
        if (missing == 0 || input.device_type != DeviceType.CPU || conv.groups != 1 || conv.padding_mode != PaddingModes.Zeros || conv.padding_type is not null)
            return conv.forward(input);

        using var scope = NewDisposeScope();
        // pad's amounts run from the last dimension back: W, H, D, then C (after it).
        long[] channelPad = [0, 0, 0, 0, 0, 0, 0, missing];
        var alignedInput = nn.functional.pad(input, channelPad);          // [B, C', D, H, W]
        var alignedWeight = nn.functional.pad(conv.weight!, channelPad);  // [O, C', kD, kH, kW]
        return nn.functional.conv3d(alignedInput, alignedWeight, conv.bias, conv.stride, conv.padding, conv.dilation)
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// conv(input) for input [B, C, H, W], with the module's own stride, padding and dilation; aligned only where conv2d
    /// was seen wrong (see <see cref="NeedsAlignment2d"/>); a non-zero-padded conv runs as is.
    /// </summary>
    public static Tensor Forward(Conv2d conv, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(conv);
        ArgumentNullException.ThrowIfNull(input);
        if (conv.padding_mode != PaddingModes.Zeros || conv.padding_type is not null)
            return conv.forward(input);
        return Conv2d(input, conv.weight!, conv.bias, conv.stride, conv.padding, conv.dilation, conv.groups);
    }

    /// <summary>
    /// <c>nn.functional.conv2d</c> for input [B, C, H, W] and weight [O, C / groups, kH, kW], with the input channels
    /// zero-padded to a multiple of 16 where <see cref="NeedsAlignment2d"/> says so; else the plain call.
    /// </summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? strides = null, long[]? padding = null,
        long[]? dilation = null, long groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (!NeedsAlignment2d(input, weight, groups))
            return nn.functional.conv2d(input, weight, bias, strides, padding, dilation, groups);

        using var scope = NewDisposeScope();
        long[] channelPad = [0, 0, 0, 0, 0, Missing(input.shape[1])];     // W, H, then C
        var alignedInput = nn.functional.pad(input, channelPad);          // [B, C', H, W]
        var alignedWeight = nn.functional.pad(weight, channelPad);        // [O, C', kH, kW]
        return nn.functional.conv2d(alignedInput, alignedWeight, bias, strides, padding, dilation, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Whether a conv2d is of the kind seen wrong: float32 on the CPU, not grouped, a kernel larger than 1x1, more than
    /// 16 input channels that are not a multiple of 16, and an input that is not channels-last.
    /// </summary>
    public static bool NeedsAlignment2d(Tensor input, Tensor weight, long groups)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        long channels = input.shape[1];
        return input.device_type == DeviceType.CPU && input.dtype == ScalarType.Float32 && groups == 1
            && channels > Alignment && Missing(channels) != 0
            && weight.shape[2] * weight.shape[3] > 1
            && !IsChannelsLast(input);
    }

    private static long Missing(long channels) => (Alignment - channels % Alignment) % Alignment;

    /// <summary>Channels-last strides ([B, C, H, W] laid out as B, H, W, C), the layout that was exact.</summary>
    private static bool IsChannelsLast(Tensor input)
    {
        var stride = input.stride();
        return input.dim() == 4 && input.shape[1] > 1 && stride[1] == 1 && stride[3] == input.shape[1];
    }
}
