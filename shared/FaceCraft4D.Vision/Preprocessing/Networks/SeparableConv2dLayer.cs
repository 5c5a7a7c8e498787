using FaceCraft4D.Vision.Preprocessing.Tfjs;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Preprocessing.Networks;

/// <summary>
/// tf.separableConv2d (3x3 depthwise, multiplier 1, then 1x1 pointwise) + bias, TF 'same' padding.
/// tfjs names: {prefix}/depthwise_filter [3, 3, in, 1], {prefix}/pointwise_filter [1, 1, in, out], {prefix}/bias [out].
/// </summary>
public sealed class SeparableConv2dLayer : nn.Module<Tensor, Tensor>
{
    private readonly Parameter depthwise; // [in, 1, 3, 3]
    private readonly Parameter pointwise; // [out, in, 1, 1]
    private readonly Parameter bias;      // [out]
    private readonly int stride;
    private readonly long inChannels;

    public SeparableConv2dLayer(string name, int inChannels, int outChannels, int stride) : base(name)
    {
        this.stride = stride; this.inChannels = inChannels;
        depthwise = nn.Parameter(torch.randn(inChannels, 1, 3, 3).Times(1.0 / 3.0));
        pointwise = nn.Parameter(torch.randn(outChannels, inChannels, 1, 1).Times(1.0 / Math.Sqrt(inChannels)));
        bias = nn.Parameter(torch.zeros(outChannels));
        RegisterComponents();
    }

    /// <summary>x [N, in, H, W] -> [N, out, ceil(H/stride), ceil(W/stride)].</summary>
    public override Tensor forward(Tensor x)
    {
        using var padded = TfPadding.PadSame(x, 3, stride);
        using var dw = nn.functional.conv2d(padded, depthwise, null, strides: new long[] { stride, stride }, groups: inChannels);
        return nn.functional.conv2d(dw, pointwise, bias);
    }

    public IEnumerable<TfjsParameterBinding> Bindings(string prefix)
    {
        yield return new($"{prefix}/depthwise_filter", TfjsLayout.DepthwiseFilter, depthwise);
        yield return new($"{prefix}/pointwise_filter", TfjsLayout.ConvFilter, pointwise);
        yield return new($"{prefix}/bias", TfjsLayout.Identity, bias);
    }
}
