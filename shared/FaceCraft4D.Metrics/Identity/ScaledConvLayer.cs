using FaceCraft4D.Vision.Preprocessing.Networks;
using FaceCraft4D.Vision.Preprocessing.Tfjs;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Convolution;

namespace FaceCraft4D.Metrics.Identity;

/// <summary>
/// face-api.js recognition conv layer: conv2d + bias, then the per-channel affine "scale" layer (folded batch norm),
/// optional ReLU. Stride 1 uses TF 'same' padding, stride 2 'valid'.
/// tfjs names: {prefix}/conv/filters [k, k, in, out], {prefix}/conv/bias, {prefix}/scale/weights, {prefix}/scale/biases.
/// </summary>
public sealed class ScaledConvLayer : nn.Module<Tensor, Tensor>
{
    private readonly Parameter filters;     // [out, in, k, k]
    private readonly Parameter bias;        // [out]
    private readonly Parameter scaleWeight; // [out]
    private readonly Parameter scaleBias;   // [out]
    private readonly int kernel, stride;
    private readonly bool relu;

    public ScaledConvLayer(string name, int inChannels, int outChannels, int kernel, int stride, bool relu) : base(name)
    {
        this.kernel = kernel; this.stride = stride; this.relu = relu;
        filters = nn.Parameter(torch.randn(outChannels, inChannels, kernel, kernel).Times(1.0 / Math.Sqrt(inChannels * kernel * kernel)));
        bias = nn.Parameter(torch.zeros(outChannels));
        scaleWeight = nn.Parameter(torch.ones(outChannels));
        scaleBias = nn.Parameter(torch.zeros(outChannels));
        RegisterComponents();
    }

    /// <summary>x [N, in, H, W] → [N, out, H', W'] (H' = H for stride 1, ⌊(H − k) / 2⌋ + 1 for stride 2).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var input = stride == 1 ? TfPadding.PadSame(x, kernel, 1) : x;
        var y = ChannelAlignedConvolution.Conv2d(input, filters, bias, strides: new long[] { stride, stride });
        y = (y * scaleWeight.reshape(1, -1, 1, 1)).Plus(scaleBias.reshape(1, -1, 1, 1));
        return (relu ? nn.functional.relu(y) : y).MoveToOuterDisposeScope();
    }

    public IEnumerable<TfjsParameterBinding> Bindings(string prefix)
    {
        yield return new($"{prefix}/conv/filters", TfjsLayout.ConvFilter, filters);
        yield return new($"{prefix}/conv/bias", TfjsLayout.Identity, bias);
        yield return new($"{prefix}/scale/weights", TfjsLayout.Identity, scaleWeight);
        yield return new($"{prefix}/scale/biases", TfjsLayout.Identity, scaleBias);
    }
}
