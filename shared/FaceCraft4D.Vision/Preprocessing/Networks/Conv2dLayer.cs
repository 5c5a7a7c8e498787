using FaceCraft4D.Vision.Preprocessing.Tfjs;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Convolution;

namespace FaceCraft4D.Vision.Preprocessing.Networks;

/// <summary>
/// Plain conv2d + bias with TF padding semantics ('same' or 'valid').
/// tfjs names: {prefix}/filters [k, k, in, out], {prefix}/bias [out].
/// </summary>
public sealed class Conv2dLayer : nn.Module<Tensor, Tensor>
{
    private readonly Parameter filters; // [out, in, k, k]
    private readonly Parameter bias;    // [out]
    private readonly int kernel, stride;
    private readonly bool samePadding;

    public Conv2dLayer(string name, int inChannels, int outChannels, int kernel, int stride, bool samePadding) : base(name)
    {
        this.kernel = kernel; this.stride = stride; this.samePadding = samePadding;
        filters = nn.Parameter(torch.randn(outChannels, inChannels, kernel, kernel).Times(1.0 / Math.Sqrt(inChannels * kernel * kernel)));
        bias = nn.Parameter(torch.zeros(outChannels));
        RegisterComponents();
    }

    /// <summary>x [N, in, H, W] -> [N, out, H', W'].</summary>
    public override Tensor forward(Tensor x)
    {
        using var padded = samePadding ? TfPadding.PadSame(x, kernel, stride) : x.alias();
        return ChannelAlignedConvolution.Conv2d(padded, filters, bias, strides: new long[] { stride, stride });
    }

    public IEnumerable<TfjsParameterBinding> Bindings(string prefix)
    {
        yield return new($"{prefix}/filters", TfjsLayout.ConvFilter, filters);
        yield return new($"{prefix}/bias", TfjsLayout.Identity, bias);
    }
}
