using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Modules;

/// <summary>
/// A stride-1 <see cref="Conv3d"/> evaluated with its input channels zero-padded to a multiple of 16 (the weight padded
/// alike, so the result is the same convolution). Why: libtorch 2.10's float32 CPU conv3d (TorchSharp 0.107) returns wrong
/// values on some AVX-512 CPUs when the input channels are not a multiple of oneDNN's channel block: on an AMD EPYC (Zen 4,
/// oneDNN 3.7.1 jit:avx512_core, blocked layout aBcde16b with padded channels) a 7x7x7 kernel over 70 channels was off by
/// 9 % of the output's range against float64 (66, 72, 34 and 40 channels too; 32, 48, 64, 80 and 96 exact to 1e-5), and a
/// 3x3x3 kernel over 18 or 22 channels was exact for one sample but off by 10-20 % for a batch of 2 or 3.
/// ONEDNN_MAX_CPU_ISA=AVX2 did not avoid it (block 8: 66 and 70 channels still wrong). Every Conv3d of the LivePortrait
/// port goes through here (the official hourglass has 110 and 142 channels).
/// </summary>
internal static class ChannelAlignedConv3d
{
    private const long Alignment = 16;

    /// <summary>
    /// conv(input) for input [B, C, D, H, W], with the module's own stride, padding and dilation; a grouped or
    /// non-zero-padded conv, or one off the CPU, runs as is.
    /// </summary>
    public static Tensor Forward(Conv3d conv, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(conv);
        ArgumentNullException.ThrowIfNull(input);
        long channels = input.shape[1];
        long missing = (Alignment - channels % Alignment) % Alignment;
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
}
