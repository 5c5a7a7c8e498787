using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Preprocessing.Networks;

/// <summary>TensorFlow 'same' padding (asymmetric: the extra row/column goes after) for NCHW tensors.</summary>
public static class TfPadding
{
    /// <summary>(before, after) padding of one spatial axis of length <paramref name="n"/>.</summary>
    public static (long Before, long After) Same(long n, long kernel, long stride)
    {
        long outLen = (n + stride - 1) / stride;
        long total = Math.Max((outLen - 1) * stride + kernel - n, 0);
        long before = total / 2;
        return (before, total - before);
    }

    /// <summary>Pads x [N, C, H, W] so that a valid kernel/stride window equals TF 'same'.</summary>
    public static Tensor PadSame(Tensor x, long kernel, long stride, double value = 0.0)
    {
        var (top, bottom) = Same(x.shape[2], kernel, stride);
        var (left, right) = Same(x.shape[3], kernel, stride);
        if (top == 0 && bottom == 0 && left == 0 && right == 0) return x.alias();
        return nn.functional.pad(x, new long[] { left, right, top, bottom }, PaddingModes.Constant, value);
    }

    /// <summary>TF max pooling with 'same' padding (padded cells never win).</summary>
    public static Tensor MaxPoolSame(Tensor x, long kernel, long stride)
    {
        using var padded = PadSame(x, kernel, stride, double.NegativeInfinity);
        return nn.functional.max_pool2d(padded, new long[] { kernel, kernel }, new long[] { stride, stride });
    }
}
